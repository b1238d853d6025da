export {
  ASSIGNMENT_SEPARATOR,
  PATH_COLUMNS,
  SESSION_GAP_MINUTES,
  sessionRowsSql,
  TABLE_FUNNEL,
  VARIANT_SEPARATOR,
} from './derive.js';
export {
  deriveTwinRows,
  deriveTwinSession,
  splitDerived,
  type TwinAssignment,
  type TwinEvent,
  type TwinLookups,
  type TwinOrder,
  type TwinRow,
} from './derive-twin.js';
export { forgetSessionIdIndex } from './id-index.js';
export { keepSessionIdIndex, takeNewIdsLookedUp, warmSessionIdIndex } from './incremental.js';
export {
  type ClickstreamChange,
  ensureSessions,
  SessionsRefreshFailed,
  sessionsInStep,
  skipSessionsMaintenance,
  withSessionsMaintained,
} from './maintain.js';
export { refreshSessions, type SessionsRefresh, type SourceLogs } from './refresh.js';
export { feedsSessions, SESSION_SOURCES, touchedSessionsOf } from './touched.js';

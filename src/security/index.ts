export {
  type Actor,
  AUDIT_ACTIONS,
  AUDIT_FILE,
  type AuditAction,
  type AuditEntry,
  type AuditFilter,
  type AuditVerification,
  appendAudit,
  readAudit,
  verifyAudit,
} from './audit.js';
export {
  type Authenticator,
  type AuthenticatorOptions,
  type AuthFailure,
  type AuthResult,
  type AuthSuccess,
  createAuthenticator,
  requireRole,
} from './authenticate.js';
export { authorizeRequest, isLoopback } from './authorize.js';
export {
  CUSTOMER_COLUMN,
  customerTables,
  type ErasureReport,
  eraseCustomer,
  ORDER_COLUMN,
  orderLinkedTables,
  SESSION_COLUMN,
  sessionLinkedTables,
} from './erase.js';
export { CONTENT_SECURITY_POLICY, htmlSecurityHeaders } from './headers.js';
export { assertAllowed, principalFromKey } from './key-principal.js';
export {
  type CreatedKey,
  createKey,
  hasActiveKey,
  KEYS_FILE,
  type KeyEntry,
  type KeyInfo,
  keyNameSchema,
  keysPath,
  listKeys,
  readKeys,
  revokeKey,
  verifyKey,
} from './keys.js';
export {
  DUCKDB_MASK,
  MASK_HEX_DIGITS,
  MASK_SECRET_FILE,
  type MaskDialect,
  maskedSelectSql,
  maskSecret,
  maskSql,
  maskValue,
  PII_COLUMNS,
  SPARK_MASK,
} from './mask.js';
export { assertOwnerOnly, readOwnerOnly, writeOwnerOnly } from './owner-file.js';
export { applyRetention, partitionEnd, type RetentionReport } from './retention.js';
export {
  allows,
  LOCAL_OWNER,
  mustMask,
  PERMISSIONS,
  type Permission,
  type Principal,
  ROLES,
  type Role,
  roleSchema,
} from './roles.js';
export { routePermission } from './routes.js';
export { FailureThrottle, FREE_FAILURES } from './throttle.js';

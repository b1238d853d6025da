import { UserError } from '../errors/index.js';
import { appendAudit } from './audit.js';
import { readKeys, verifyKey } from './keys.js';
import { allows, LOCAL_OWNER, neededRole, type Permission, type Principal } from './roles.js';

/**
 * Who a command acts as: the data directory's owner (admin) without a key, else the role of the key
 * given (`--key`, SHOPLAKE_KEY), checked as the server checks it. A refused key is audited and is one
 * line for the user that does not say whether the key exists.
 */
export async function principalFromKey(dataDir: string, key: string | undefined): Promise<Principal> {
  if (key === undefined || key === '') return LOCAL_OWNER;
  const check = await verifyKey(readKeys(dataDir), key.trim());
  if (check.ok) return check.principal;
  await appendAudit(dataDir, { name: 'cli', role: null }, 'auth.failure', {
    via: 'cli',
    reason: check.reason,
  });
  throw new UserError('the key given (--key or SHOPLAKE_KEY) is unknown, revoked or expired', {
    code: 'unauthorized',
    status: 401,
  });
}

/** Refuses what the principal's role does not allow, with what it would need; audited. */
export async function assertAllowed(
  dataDir: string,
  principal: Principal,
  permission: Permission,
  what: string,
): Promise<void> {
  if (allows(principal.role, permission)) return;
  await appendAudit(dataDir, principal, 'auth.refused', { via: 'cli', command: what, needs: permission });
  throw new UserError(
    `${article(principal.role)} key cannot run '${what}': it needs ${article(neededRole(permission))} key`,
    {
      code: 'forbidden',
      status: 403,
    },
  );
}

const article = (role: string) => `${/^[aeiou]/.test(role) ? 'an' : 'a'} ${role}`;

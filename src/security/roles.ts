import { z } from 'zod';

/**
 * Who a key speaks for. viewer < analyst < admin read the lake (each seeing more); ingest only writes
 * through the collector; metrics only scrapes /metrics. admin may do everything.
 */
export const ROLES = ['admin', 'analyst', 'viewer', 'ingest', 'metrics'] as const;
export const roleSchema = z.enum(ROLES);
export type Role = z.infer<typeof roleSchema>;

/** What a request or command needs. */
export const PERMISSIONS = ['ingest', 'metrics', 'read', 'sql', 'admin', 'unmasked'] as const;
export type Permission = (typeof PERMISSIONS)[number];

const GRANTS: Record<Role, readonly Permission[]> = {
  admin: PERMISSIONS,
  analyst: ['read', 'sql'],
  viewer: ['read'],
  ingest: ['ingest'],
  metrics: ['metrics'],
};

/** Who is acting: a key from the keys file, a collector write key, or the local owner of the data. */
export interface Principal {
  /** The key's name (`write-key` for keys from SHOPLAKE_WRITE_KEYS, `local` for the data's owner). */
  name: string;
  role: Role;
  /** The key's id in the keys file; null for write keys and the local owner. */
  keyId: string | null;
}

/** The data directory's owner running the CLI without --key: admin (file permissions are the boundary). */
export const LOCAL_OWNER: Principal = { name: 'local', role: 'admin', keyId: null };

/** Whether `role` may do what `permission` names. */
export function allows(role: Role, permission: Permission): boolean {
  return GRANTS[role].includes(permission);
}

/** Whether the customers' names, emails and cities must be masked for this principal. */
export function mustMask(principal: Principal): boolean {
  return !allows(principal.role, 'unmasked');
}

/** The least role that grants a permission (for messages). */
export function neededRole(permission: Permission): Role {
  const order: Role[] = ['viewer', 'analyst', 'ingest', 'metrics', 'admin'];
  return order.find((r) => allows(r, permission)) ?? 'admin';
}

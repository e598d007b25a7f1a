/** The uid and gid every run has inside its sandbox (`nobody`). */
export const SANDBOX_UID = 65534;
export const SANDBOX_GID = 65534;
export const SANDBOX_HOSTNAME = 'sandbox';
export const SANDBOX_PATH = '/usr/local/bin:/usr/bin:/bin';

/**
 * The environment a spawned server gets by default: a short allow-list of the parent's variables,
 * the same list as the official SDK, so secrets in the parent's environment (tokens, cloud keys)
 * do not leak into a third-party server unless the user passes them on purpose.
 */

/** Variables inherited from the parent by default (the SDK's list; POSIX follows `sudo`'s). */
export const DEFAULT_INHERITED_ENV_VARS: readonly string[] =
  process.platform === 'win32'
    ? [
        'APPDATA',
        'HOMEDRIVE',
        'HOMEPATH',
        'LOCALAPPDATA',
        'PATH',
        'PROCESSOR_ARCHITECTURE',
        'SYSTEMDRIVE',
        'SYSTEMROOT',
        'TEMP',
        'USERNAME',
        'USERPROFILE',
        'PROGRAMFILES',
      ]
    : ['HOME', 'LOGNAME', 'PATH', 'SHELL', 'TERM', 'USER'];

/**
 * The allow-listed variables of `source` (default `process.env`). A value starting with `()` is
 * skipped: it is an exported shell function, a classic injection vector (Shellshock).
 */
export function getDefaultEnvironment(source: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const env: Record<string, string> = {};
  for (const key of DEFAULT_INHERITED_ENV_VARS) {
    const value = source[key];
    if (value === undefined || value.startsWith('()')) continue;
    env[key] = value;
  }
  return env;
}

/**
 * Signals a whole process tree: the child's process group on POSIX (the child was spawned
 * `detached`, so it leads its own group and everything it spawns joins it), `taskkill /T` on
 * Windows. This is what makes grandchildren die too: an `npx` or shell wrapper that starts the
 * real server would otherwise leave it running when only the wrapper is killed.
 */
import { spawn } from 'node:child_process';

/** Returns `false` when there was nothing left to signal. */
export function killTree(pid: number, signal: 'SIGTERM' | 'SIGKILL', group: boolean): boolean {
  if (process.platform === 'win32') {
    // taskkill has no SIGTERM for console programs; /T walks the tree. Only used for the hard stage.
    if (signal === 'SIGKILL') {
      spawn('taskkill', ['/pid', String(pid), '/T', '/F'], { stdio: 'ignore', windowsHide: true }).on('error', () => {
        // taskkill missing or the tree already gone: nothing more we can do, and nothing to report.
      });
      return true;
    }
    return signalOne(pid, signal);
  }
  if (group) {
    try {
      process.kill(-pid, signal);
      return true;
    } catch (error) {
      // ESRCH: the group is empty. EPERM: a member changed credentials; fall back to the leader.
      if (!isErrno(error, 'EPERM')) return false;
    }
  }
  return signalOne(pid, signal);
}

function signalOne(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch (error) {
    if (isErrno(error, 'ESRCH')) return false;
    throw error;
  }
}

export function isErrno(error: unknown, code: string): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === code;
}

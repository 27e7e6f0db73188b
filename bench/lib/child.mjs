// Runs one child process and reads the JSON line it prints last.
import { spawn } from 'node:child_process';

/** Spawns `node args`, resolving with the wall time from spawn to exit and the child's report. */
export function runChild(args, { env = {}, cwd } = {}) {
  return new Promise((resolve, reject) => {
    const spawnedAt = performance.timeOrigin + performance.now();
    const child = spawn(process.execPath, args, {
      cwd,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      const exitedAt = performance.timeOrigin + performance.now();
      const line = stdout.trim().split('\n').pop() ?? '';
      if (code !== 0 || !line.startsWith('{')) {
        reject(new Error(`child ${args.join(' ')} exited ${code}: ${stderr.slice(-2000)}`));
        return;
      }
      resolve({ spawnedAt, exitedAt, report: JSON.parse(line), stderr });
    });
  });
}

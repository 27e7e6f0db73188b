// Kills the process groups of a function runner's execution environments when the runner dies
// without stopping them. A frozen (SIGSTOPped) environment cannot notice that its parent is gone
// and would stay stopped forever; SIGKILL is the one signal a stopped process obeys. The runner
// writes `+<pid>` when it starts an environment and `-<pid>` when one ends; stdin closing means
// the runner is gone, or closed with nothing left to kill.

import { createInterface } from 'node:readline';

const groups = new Set();

// Terminal signals aimed at the runner must not take the reaper down before it has done its job.
for (const signal of ['SIGINT', 'SIGHUP']) process.on(signal, () => {});

createInterface({ input: process.stdin })
  .on('line', (line) => {
    const pid = Number(line.slice(1));
    if (!Number.isSafeInteger(pid) || pid <= 0) return;
    if (line.startsWith('+')) groups.add(pid);
    else if (line.startsWith('-')) groups.delete(pid);
  })
  .on('close', () => {
    for (const pid of groups) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    process.exit(0);
  });

// Starts a server and measures how long it takes to answer 200.
//   node launch.mjs URL LOGFILE -- COMMAND [ARGS...]
// Spawns COMMAND (its own process group, output to LOGFILE), polls GET URL every millisecond
// from just before the spawn, and once it answers 200 prints "PID MS" and exits, leaving the
// server running (the caller stops it by PID). If the server exits first, or 30 s pass, it
// prints why on stderr, stops the server and exits 1.
import { spawn } from 'node:child_process';
import { openSync } from 'node:fs';
import http from 'node:http';

const sep = process.argv.indexOf('--');
const [url, logfile] = process.argv.slice(2, sep);
const [cmd, ...args] = process.argv.slice(sep + 1);
if (sep < 0 || !url || !logfile || !cmd) {
  console.error('usage: node launch.mjs URL LOGFILE -- COMMAND [ARGS...]');
  process.exit(2);
}

const log = openSync(logfile, 'a');
const t0 = process.hrtime.bigint();
const child = spawn(cmd, args, { detached: true, stdio: ['ignore', log, log] });
const deadline = setTimeout(() => fail('no 200 within 30 s'), 30_000);
child.on('exit', (code, signal) => fail(`exited (${signal ?? code}) before answering 200`));
child.on('error', (err) => fail(`could not start: ${err.message}`));

function fail(why) {
  console.error(`launch: ${cmd}: ${why}; see ${logfile}`);
  try { child.kill('SIGKILL'); } catch {}
  process.exit(1);
}

function poll() {
  const req = http.get(url, { agent: false }, (res) => {
    res.resume();
    if (res.statusCode === 200) {
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      clearTimeout(deadline);
      child.removeAllListeners('exit');
      child.unref();
      process.stdout.write(`${child.pid} ${ms.toFixed(1)}\n`);
      process.exit(0);
    }
    setTimeout(poll, 1);
  });
  req.on('error', () => setTimeout(poll, 1));
}
poll();

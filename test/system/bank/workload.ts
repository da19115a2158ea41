// The bank workload: keeps transferring money between accounts of an SQLite database, each
// transfer as TWO transactions (withdraw, then deposit), with the application's own work in
// between. Between the two, the books do not balance: a snapshot taken there is
// crash-consistent but not application-consistent. That is the case writers exist for.
//
//   node test/system/bank/workload.ts <db> <control-socket> [accounts] [opening-balance]
//
// The control socket takes one line per request: "pause" (answered "paused" once the current
// transfer is complete and none will start) and "resume" (answered "resumed"). A `command`
// writer's freeze and thaw steps call test/system/bank/control.ts with them. On SIGTERM it
// prints "transfers N" and exits.
import { rmSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { DatabaseSync } from 'node:sqlite';
import { setTimeout as sleep } from 'node:timers/promises';

const [dbPath, socketPath, accountsArg = '20', openingArg = '1000'] = process.argv.slice(2);
if (!dbPath || !socketPath) {
  console.error('usage: workload.ts <db> <control-socket> [accounts] [opening-balance]');
  process.exit(2);
}
const accounts = Number(accountsArg);
const opening = Number(openingArg);

// A long busy timeout: a writer may hold the write lock for a whole freeze window.
const db = new DatabaseSync(dbPath, { timeout: 30_000 });
db.exec('PRAGMA journal_mode=WAL');
db.exec('CREATE TABLE IF NOT EXISTS accounts(id INTEGER PRIMARY KEY, balance INTEGER NOT NULL)');
if ((db.prepare('SELECT count(*) AS n FROM accounts').get() as { n: number }).n === 0) {
  const insert = db.prepare('INSERT INTO accounts(id, balance) VALUES (?, ?)');
  db.exec('BEGIN');
  for (let id = 1; id <= accounts; id++) insert.run(id, opening);
  db.exec('COMMIT');
}
const withdraw = db.prepare('UPDATE accounts SET balance = balance - ? WHERE id = ?');
const deposit = db.prepare('UPDATE accounts SET balance = balance + ? WHERE id = ?');

let pauseRequested: Socket | undefined;
let resume: (() => void) | undefined;
let running = true;
let transfers = 0;

rmSync(socketPath, { force: true });
const server = createServer((socket) => {
  socket.setEncoding('utf8');
  socket.on('data', (text: string) => {
    for (const request of text.split('\n').filter(Boolean)) {
      if (request === 'pause') pauseRequested = socket;
      else if (request === 'resume') {
        resume?.();
        resume = undefined;
        socket.end('resumed\n');
      } else socket.end(`unknown request ${request}\n`);
    }
  });
  socket.on('error', () => {});
});
server.listen(socketPath, () => console.log('ready'));

process.on('SIGTERM', () => {
  running = false;
  resume?.();
});

const random = (n: number) => Math.floor(Math.random() * n);

while (running) {
  // Pause only between transfers: a paused bank has balanced books on disk.
  if (pauseRequested) {
    const requester = pauseRequested;
    pauseRequested = undefined;
    const resumed = new Promise<void>((r) => (resume = r));
    requester.end('paused\n');
    await resumed;
    continue;
  }
  const from = 1 + random(accounts);
  const to = 1 + ((from + random(accounts - 1)) % accounts); // never `from`
  const amount = 1 + random(50);
  withdraw.run(amount, from);
  // The application's own work between the two transactions (a fraud check, a call out).
  await sleep(random(3));
  deposit.run(amount, to);
  transfers++;
  if (transfers % 20 === 0) await new Promise((r) => setImmediate(r));
}

server.close();
db.close();
console.log(`transfers ${transfers}`);

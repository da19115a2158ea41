// Asks the bank workload to pause or resume and waits for its answer:
//   node test/system/bank/control.ts <control-socket> pause|resume
// Exits 0 once acknowledged, 1 when the workload refuses or cannot be reached.
import { connect } from 'node:net';

const [socketPath, request] = process.argv.slice(2);
if (!socketPath || (request !== 'pause' && request !== 'resume')) {
  console.error('usage: control.ts <control-socket> pause|resume');
  process.exit(2);
}
const expected = request === 'pause' ? 'paused' : 'resumed';
const socket = connect(socketPath, () => socket.write(`${request}\n`));
let answer = '';
socket.setEncoding('utf8');
socket.on('data', (text: string) => (answer += text));
socket.on('end', () => {
  if (answer.trim() === expected) process.exit(0);
  console.error(`the bank answered "${answer.trim()}" to ${request}`);
  process.exit(1);
});
socket.on('error', (error) => {
  console.error(`cannot reach the bank at ${socketPath}: ${error.message}`);
  process.exit(1);
});

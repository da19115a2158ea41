import { readFileSync, readlinkSync } from 'node:fs';
import { basename, join } from 'node:path';
import { beforeEach, expect, it, vi } from 'vitest';
import { COPY_THREAD_LEAVE, type CopyReply, type CopyRequest } from '../../../src/targets/tree/copy-pool.ts';
import { CopyThreadState, answerRequests, type CopyThreadMessage } from '../../../src/targets/tree/copy-request.ts';
import { cancelFlag } from '../../../src/targets/tree/copy.ts';
import { readAhead } from '../../../src/targets/tree/libc.ts';
import { describeWith, linux } from '../../support/requirements.ts';
import { tempDir, writeTree } from './fixture.ts';

vi.mock('../../../src/targets/tree/libc.ts', async (original) => ({ ...(await original<typeof import('../../../src/targets/tree/libc.ts')>()), readAhead: vi.fn() }));

/** What happened, in order: a file read ahead (by name), or a request answered (by id). */
let events: string[];

beforeEach(() => {
  events = [];
  vi.mocked(readAhead).mockImplementation((fd) => void events.push(`read ahead ${basename(readlinkSync(`/proc/self/fd/${fd}`))}`));
});

function request(id: number, source: string, dest: string, paths: string[]): CopyRequest {
  return { id, roots: { volume: 'v', source, dest }, paths, link: paths.map(() => false), live: false };
}

describeWith('a copy thread answering its requests', [linux()], () => {
  it('reads the next request ahead before it carries out the one in hand, and answers in order', () => {
    using source = tempDir('answer-src-');
    using dest = tempDir('answer-dest-');
    writeTree(source.path, { a: 'a', b: 'b', c: 'c', d: 'd', e: 'e', f: 'f' });
    const queue: CopyThreadMessage[] = [request(2, source.path, dest.path, ['c', 'd']), request(3, source.path, dest.path, ['e', 'f'])];
    const replies: CopyReply[] = [];
    const answer = (reply: CopyReply) => {
      replies.push(reply);
      events.push(`answered ${reply.id}`);
    };
    const left = answerRequests(request(1, source.path, dest.path, ['a', 'b']), () => queue.shift(), answer, new CopyThreadState({ cancel: cancelFlag() }));
    expect(left).toBeUndefined();
    expect(events).toEqual(['read ahead a', 'read ahead b', 'read ahead c', 'read ahead d', 'answered 1', 'read ahead e', 'read ahead f', 'answered 2', 'answered 3']);
    expect(replies.map((reply) => reply.outcomes?.map((outcome) => outcome.kind))).toEqual([['copied', 'copied'], ['copied', 'copied'], ['copied', 'copied']]);
    expect(readFileSync(join(dest.path, 'f'), 'utf8')).toBe('f');
  });

  it('answers the request in hand before it leaves, and opens nothing after', () => {
    using source = tempDir('answer-src-');
    using dest = tempDir('answer-dest-');
    writeTree(source.path, { a: 'a', b: 'b' });
    const queue: CopyThreadMessage[] = [COPY_THREAD_LEAVE, request(2, source.path, dest.path, ['a', 'b'])];
    const answered: number[] = [];
    const left = answerRequests(request(1, source.path, dest.path, ['a', 'b']), () => queue.shift(), (reply) => answered.push(reply.id), new CopyThreadState({ cancel: cancelFlag() }));
    expect(left).toBe('leave');
    expect(answered).toEqual([1]);
    expect(queue).toHaveLength(1);
  });
});

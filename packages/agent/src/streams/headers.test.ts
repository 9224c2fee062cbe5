import { describe, expect, it } from 'vitest';
import { ackHeaders, contentLength, engineRequestHeaders, requestHasBody } from './headers.ts';
import { expectsBody } from './http-executor.ts';

describe('engineRequestHeaders', () => {
  it('drops hop-by-hop headers and those named in Connection', () => {
    expect(
      engineRequestHeaders({
        Host: 'cp.example',
        Connection: 'keep-alive, X-Trace',
        'X-Trace': '1',
        'Transfer-Encoding': 'chunked',
        Upgrade: 'tcp',
        'Content-Type': 'application/json',
        'X-Registry-Auth': 'abc',
      }),
    ).toEqual({ 'Content-Type': 'application/json', 'X-Registry-Auth': 'abc' });
  });
});

describe('request bodies', () => {
  it('knows when a body follows', () => {
    expect(requestHasBody({ 'Content-Length': '12' })).toBe(true);
    expect(requestHasBody({ 'content-length': '0' })).toBe(false);
    expect(requestHasBody({ 'Transfer-Encoding': 'chunked' })).toBe(true);
    expect(contentLength({ 'Content-Length': '42' })).toBe(42);
    expect(contentLength({})).toBe(0);
    expect(expectsBody('GET', {})).toBe(false);
    expect(expectsBody('POST', {})).toBe(true);
    expect(expectsBody('POST', { 'Content-Length': '0' })).toBe(false);
    expect(expectsBody('DELETE', { 'Content-Length': '5' })).toBe(true);
  });
});

describe('ackHeaders', () => {
  it('groups repeats, drops hop-by-hop and keeps Content-Length', () => {
    expect(
      ackHeaders([
        'Content-Type', 'application/json',
        'Transfer-Encoding', 'chunked',
        'Connection', 'Upgrade',
        'Set-Cookie', 'a=1',
        'set-cookie', 'b=2',
        'Content-Length', '7',
        'Bad Name', 'x',
        'X-Evil', 'a\r\nb',
      ]),
    ).toEqual({ 'Content-Type': 'application/json', 'Set-Cookie': ['a=1', 'b=2'], 'Content-Length': '7' });
  });
});

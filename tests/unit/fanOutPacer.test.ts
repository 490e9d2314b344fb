/**
 * A tenant-wide notice (the policy saved) reaches a large tenant's phones paced: at most 500 a
 * second past the first 500, so they do not all read their accounts in the same instant.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createFanOutPacer } from '../../server/signin/requests/createFanOutPacer';
import { createInProcessEventBus } from '../../server/signin/requests/createInProcessEventBus';

beforeEach(() => {
  vi.useFakeTimers({ now: 1_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

const ids = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i);

describe('the fan-out pacer', () => {
  it('tells up to 500 at once, then 500 a second, in the order they were queued', () => {
    const told: number[] = [];
    const pacer = createFanOutPacer<number>((n) => told.push(n), { perSecond: 500 });
    pacer.enqueue(ids(0, 1_200));
    expect(told).toEqual(ids(0, 500));
    expect(pacer.waiting).toBe(700);
    vi.advanceTimersByTime(999);
    expect(told.length).toBe(500);
    vi.advanceTimersByTime(1);
    expect(told.length).toBe(1_000);
    vi.advanceTimersByTime(1_000);
    expect(told).toEqual(ids(0, 1_200));
    expect(pacer.waiting).toBe(0);
  });

  it('a few hundred go at once: no wait below the rate', () => {
    const told: number[] = [];
    createFanOutPacer<number>((n) => told.push(n), { perSecond: 500 }).enqueue(ids(0, 500));
    expect(told.length).toBe(500);
  });

  it('a second notice in the same second waits for the next one; one already waiting is not queued twice', () => {
    const told: number[] = [];
    const pacer = createFanOutPacer<number>((n) => told.push(n), { perSecond: 500 });
    pacer.enqueue(ids(0, 600));
    // Another save at once: 0..499 were told before it and must hear again; 500..599 wait already.
    pacer.enqueue(ids(0, 600));
    expect(told.length).toBe(500);
    expect(pacer.waiting).toBe(600);
    vi.advanceTimersByTime(1_000);
    expect(told.length).toBe(1_000);
    vi.advanceTimersByTime(1_000);
    expect(told.length).toBe(1_100);
    expect(new Set(told.slice(500)).size).toBe(600);
  });

  it('after a quiet second the allowance is whole again', () => {
    const told: number[] = [];
    const pacer = createFanOutPacer<number>((n) => told.push(n), { perSecond: 500 });
    pacer.enqueue(ids(0, 300));
    vi.advanceTimersByTime(1_500);
    pacer.enqueue(ids(300, 500));
    expect(told.length).toBe(800);
  });

  it('a subscriber that throws stops nobody else', () => {
    const told: number[] = [];
    createFanOutPacer<number>(
      (n) => {
        if (n === 1) throw new Error('boom');
        told.push(n);
      },
      { perSecond: 500 },
    ).enqueue(ids(0, 3));
    expect(told).toEqual([0, 2]);
  });
});

describe('the in-process bus’s tenant notices', () => {
  it('reach every phone of the tenant, paced, and none of another tenant or one that left meanwhile', async () => {
    const bus = createInProcessEventBus({ tenantFanOutPerSecond: 500 });
    const heard = new Map<string, number>();
    const hear = (name: string) => () => heard.set(name, (heard.get(name) ?? 0) + 1);
    const leaving: (() => void)[] = [];
    for (const n of ids(0, 1_100)) leaving.push(bus.subscribeTenant('contoso', hear(`c${n}`)));
    bus.subscribeTenant('fabrikam', hear('f0'));
    await bus.publishTenant('contoso', { type: 'accounts' });
    expect(heard.size).toBe(500);
    // A phone whose turn has not come goes away: it is not told.
    leaving[1_099]();
    vi.advanceTimersByTime(2_000);
    expect(heard.size).toBe(1_099);
    expect(heard.has('f0')).toBe(false);
    expect(heard.has('c1099')).toBe(false);
    expect([...heard.values()].every((count) => count === 1)).toBe(true);
  });
});

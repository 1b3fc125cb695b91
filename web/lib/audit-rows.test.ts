import { describe, expect, it } from 'vitest';
import { joinHead, mergeNewestFirst } from './audit-rows';

const rows = (...seqs: number[]) => seqs.map((seq) => ({ seq }));

describe('mergeNewestFirst', () => {
  it('keeps newest first without duplicates', () => {
    expect(mergeNewestFirst(rows(5, 4, 3), rows(7, 6, 5))).toEqual(rows(7, 6, 5, 4, 3));
    expect(mergeNewestFirst(rows(5, 4), rows(3, 2))).toEqual(rows(5, 4, 3, 2));
  });
});

describe('joinHead', () => {
  it('puts new entries on top when the head page reaches the rows shown', () => {
    expect(joinHead(rows(5, 4), { nodes: rows(8, 7, 6, 5), hasNextPage: true })).toEqual({ rows: rows(8, 7, 6, 5, 4), restart: false });
    expect(joinHead(rows(5, 4), { nodes: rows(7, 6), hasNextPage: true })).toEqual({ rows: rows(7, 6, 5, 4), restart: false });
  });

  it('restarts from the head page when entries between would be hidden', () => {
    expect(joinHead(rows(5, 4), { nodes: rows(20, 19), hasNextPage: true })).toEqual({ rows: rows(20, 19), restart: true });
  });

  it('takes the head page as is when nothing is shown yet', () => {
    expect(joinHead([], { nodes: rows(2, 1), hasNextPage: true })).toEqual({ rows: rows(2, 1), restart: false });
  });
});

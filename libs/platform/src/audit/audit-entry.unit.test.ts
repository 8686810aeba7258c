import { AppError } from '../errors/app-error';
import { decodeAuditCursor, encodeAuditCursor, mergeAuditPages, type AuditEntry } from './audit-entry';

const entry = (id: string, at: string): AuditEntry => ({ id, kind: 'credential_read', at, apiKeyId: null, connectionId: null, connectorId: null, details: {} });

describe('the audit cursor and merge', () => {
  it('round-trips a position and refuses anything else as a validation failure on cursor', () => {
    const position = { at: '2026-12-05T03:00:00.123Z', id: 'cr_42' };
    expect(decodeAuditCursor(encodeAuditCursor(position))).toEqual(position);
    for (const bad of ['', 'not-base64!', Buffer.from('{"at":"yesterday","id":"cr_1"}').toString('base64url'), Buffer.from('{"at":"2026-12-05T03:00:00.123Z","id":"x; DROP"}').toString('base64url')]) {
      expect(() => decodeAuditCursor(bad)).toThrow(AppError);
    }
  });

  it('merges sorted pages newest first, ties broken by id, and continues after the last entry shown', () => {
    const same = '2026-12-05T03:00:00.000Z';
    const merged = mergeAuditPages([[entry('cr_2', same), entry('cr_1', '2026-12-05T02:00:00.000Z')], [entry('cc_b', '2026-12-05T04:00:00.000Z'), entry('cc_a', same)], [entry('ak_9', same)]], 3);
    expect(merged.items.map((e) => e.id)).toEqual(['cc_b', 'cr_2', 'cc_a']);
    expect(decodeAuditCursor(merged.nextCursor as string)).toEqual({ at: same, id: 'cc_a' });
    expect(mergeAuditPages([[entry('cr_1', same)]], 1).nextCursor).toBeNull();
  });
});

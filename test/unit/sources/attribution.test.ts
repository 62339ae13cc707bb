import { describe, expect, it } from 'vitest';
import {
  DEFAULT_ATTRIBUTION,
  DEFAULT_HELICONE_RULES,
  DEFAULT_LANGFUSE_RULES,
  attribute,
  parseAttributionConfig,
  slugify,
} from '../../../src/sources/attribution.ts';

describe('attribution defaults', () => {
  it('are the documented ones', () => {
    expect(DEFAULT_ATTRIBUTION.helicone).toEqual(DEFAULT_HELICONE_RULES);
    expect(DEFAULT_ATTRIBUTION.langfuse).toEqual(DEFAULT_LANGFUSE_RULES);
    expect(DEFAULT_HELICONE_RULES.customer).toEqual(['property:customer', 'field:request_user_id']);
    expect(DEFAULT_LANGFUSE_RULES.workItem).toEqual(['metadata:ticket_id', 'field:traceId']);
  });

  it('Helicone: properties matched case-insensitively, request_properties as fallback, slugs for team/feature', () => {
    const a = attribute(DEFAULT_ATTRIBUTION.helicone, {
      fields: { request_user_id: 'user-9' },
      properties: [
        { Team: '  Search Team ', FEATURE: 'Query Rewrite' },
        { environment: 'staging', 'Helicone-Session-Id': 'sess-1' },
      ],
    });
    expect(a).toEqual({
      team: 'search-team',
      teamName: 'Search Team',
      feature: 'query-rewrite',
      featureName: 'Query Rewrite',
      environment: 'staging',
      customer: 'user-9',
      workItem: 'sess-1',
    });
  });

  it('Helicone: a customer property beats the user id; ticket beats work_item beats the session', () => {
    const props = { customer: 'acme', ticket: 'ENG-1', work_item: 'W-2', 'helicone-session-id': 'sess' };
    expect(attribute(DEFAULT_ATTRIBUTION.helicone, { fields: { request_user_id: 'u' }, properties: [props] })).toMatchObject({
      customer: 'acme',
      workItem: 'ENG-1',
    });
    const { ticket: _t, ...noTicket } = props;
    expect(attribute(DEFAULT_ATTRIBUTION.helicone, { fields: {}, properties: [noTicket] }).workItem).toBe('W-2');
  });

  it('Langfuse: metadata first, then tags; environment, userId and traceId built in', () => {
    const a = attribute(DEFAULT_ATTRIBUTION.langfuse, {
      fields: { environment: 'production', userId: 'cust-1', traceId: 'trace-1' },
      metadata: { feature: 'Summarizer' },
      tags: ['misc', 'Team:Platform', 'feature:ignored-because-metadata-wins'],
    });
    expect(a).toEqual({
      team: 'platform',
      teamName: 'Platform',
      feature: 'summarizer',
      featureName: 'Summarizer',
      environment: 'production',
      customer: 'cust-1',
      workItem: 'trace-1',
    });
    expect(attribute(DEFAULT_ATTRIBUTION.langfuse, { fields: { traceId: 't' }, metadata: { ticket_id: 4821 } }).workItem).toBe('4821');
  });

  it('no team anywhere → team null (never dropped, never guessed)', () => {
    const a = attribute(DEFAULT_ATTRIBUTION.langfuse, { fields: {}, metadata: { team: '   ' }, tags: ['team:'] });
    expect(a.team).toBeNull();
    expect(attribute(DEFAULT_ATTRIBUTION.helicone, { fields: {}, properties: [null, undefined] }).team).toBeNull();
  });
});

describe('attribution config', () => {
  it('overrides one dimension and keeps the other defaults', () => {
    const config = parseAttributionConfig({ helicone: { team: ['property:squad', 'property:team'] }, langfuse: { feature: ['field:traceName'] } });
    expect(config.helicone.team).toEqual(['property:squad', 'property:team']);
    expect(config.helicone.feature).toEqual(DEFAULT_HELICONE_RULES.feature);
    expect(config.langfuse.team).toEqual(DEFAULT_LANGFUSE_RULES.team);
    expect(attribute(config.langfuse, { fields: { traceName: 'Ticket Triage' } }).feature).toBe('ticket-triage');
    expect(attribute(config.helicone, { fields: {}, properties: [{ squad: 'Core' }] }).team).toBe('core');
  });

  it('rejects malformed lookups and unknown keys', () => {
    expect(() => parseAttributionConfig({ helicone: { team: ['team'] } })).toThrow(/lookup/);
    expect(() => parseAttributionConfig({ helicone: { teams: ['property:team'] } })).toThrow();
    expect(() => parseAttributionConfig({ datadog: {} })).toThrow();
  });

  it('slugify', () => {
    expect(slugify(' Big  Data Team ')).toBe('big-data-team');
    expect(slugify('')).toBeNull();
    expect(slugify(null)).toBeNull();
  });

  it('slugify makes every tag addressable by the command slug rules, keeping distinct tags apart', () => {
    const commandSlug = /^[a-z0-9][a-z0-9_.-]*$/;
    const tags = ['+1+1', '@cmd', '=sum(a1:a9)', '<!channel>', 'Équipe Données', '🚀🚀', '!!!', 'x'.repeat(300), '-lead', '..'];
    for (const t of tags) {
      const s = slugify(t)!;
      expect(s, t).toMatch(commandSlug);
      expect(s.length, t).toBeLessThanOrEqual(64);
      expect(slugify(t)).toBe(s); // stable
    }
    expect(slugify('+1+1')).toBe('1-1');
    expect(slugify('=sum(a1:a9)')).toBe('sum-a1-a9');
    expect(slugify('<!channel>')).toBe('channel');
    expect(slugify('Équipe Données')).toBe('equipe-donnees');
    expect(slugify('🚀🚀')).toMatch(/^tag-[0-9a-f]{8}$/);
    expect(slugify('🚀🚀')).not.toBe(slugify('!!!'));
  });
});

// What the governance services share: their options (the retention review age from config, and a
// clock for tests) and the small readings of a form's text and dates they all make.
import { londonDate, parseAt } from '../domain/time.ts';

export interface GovernanceOptions {
  /** RETENTION_REVIEW_AGE: the age at which a child's record is reviewed (default 25) */
  retentionReviewAge?: number;
  clock?: () => number;
}

export const todayOf = (options: GovernanceOptions) => londonDate((options.clock ?? Date.now)());
export const isRealDate = (value: string) => /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(parseAt(value));
export const trimmed = (value: unknown) => (typeof value === 'string' ? value.trim() : '');

// A child the reader may not see is shown by a stable pseudonym, never by name: the same child
// reads the same on every page and export, so analysts can follow them without knowing who they are.
import { createHash } from 'node:crypto';

export const pseudonym = (childId: string): string => `Child ${createHash('sha256').update(childId).digest('hex').slice(0, 6).toUpperCase()}`;

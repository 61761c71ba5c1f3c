// People of concern recorded by different agencies under different spellings ("Dex", "Dexter
// Reid", "D. Reid"): suggestions for a human to confirm or reject, never an automatic merge
// (issue 6: exact on normalised identifiers; for persons, suggestions go to a human).
import { jaroWinkler, normaliseName, nysiis, parseDate } from './strings.ts';

export interface KnownPerson {
  id: string;
  names: readonly string[];
  dateOfBirth?: string | null;
}

export interface SimilarPerson {
  id: string;
  score: number;
  reasons: string[];
}

/** The closest pair of names of two people: whole names, and word by word in any order. */
function nameSimilarity(a: readonly string[], b: readonly string[]): { score: number; soundsAlike: boolean } {
  let score = 0;
  let soundsAlike = false;
  for (const x of a.map(normaliseName).filter(Boolean)) {
    for (const y of b.map(normaliseName).filter(Boolean)) {
      const sortedX = x.split(' ').sort().join(' ');
      const sortedY = y.split(' ').sort().join(' ');
      score = Math.max(score, jaroWinkler(x, y), jaroWinkler(sortedX, sortedY));
      const codesX = new Set(x.split(' ').map(nysiis).filter((c) => c.length > 1));
      if (y.split(' ').map(nysiis).filter((c) => c.length > 1).some((c) => codesX.has(c)) && x.split(' ').length === y.split(' ').length) soundsAlike = true;
    }
  }
  return { score, soundsAlike };
}

/** The people most like `person` (name and date of birth), best first, each with its reasons. */
export function similarPeople(person: KnownPerson, others: readonly KnownPerson[], limit = 5): SimilarPerson[] {
  const born = parseDate(person.dateOfBirth ?? null);
  const out: SimilarPerson[] = [];
  for (const other of others) {
    if (other.id === person.id) continue;
    const { score: names, soundsAlike } = nameSimilarity(person.names, other.names);
    const reasons: string[] = [];
    let score = names;
    const theirs = parseDate(other.dateOfBirth ?? null);
    if (born && theirs) {
      const same = born.year === theirs.year && born.month === theirs.month && born.day === theirs.day;
      const swapped = born.year === theirs.year && born.month === theirs.day && born.day === theirs.month;
      const oneApart = [born.year === theirs.year, born.month === theirs.month, born.day === theirs.day].filter(Boolean).length === 2;
      if (same) { score += 0.1; reasons.push('date of birth: the same'); }
      else if (swapped) { score += 0.05; reasons.push('date of birth: day and month swapped'); }
      else if (oneApart) reasons.push('date of birth: one part differs');
      else continue; // two different dates of birth: two people
    }
    if (names >= 0.999) reasons.unshift('name: the same');
    else if (names >= 0.9) reasons.unshift(`name: spelt alike (${Math.round(names * 100)}%)`);
    if (soundsAlike) reasons.push('name: sounds alike');
    if (names >= 0.9 || (names >= 0.8 && (soundsAlike || reasons.some((r) => r.startsWith('date of birth: the same'))))) {
      out.push({ id: other.id, score: Math.min(1, score), reasons });
    }
  }
  return out.sort((a, b) => b.score - a.score).slice(0, limit);
}

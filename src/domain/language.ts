// The appropriate-language guide (The Children's Society, Victim Support, NPCC; 2017–2024):
// "Victim-blaming language implies that a victim is responsible for the abuse they experienced.
// Children can never consent to their own abuse." Practitioners' free text is checked against it
// and the alternative offered; the practitioner may keep their words (it is their record).

export interface LanguageTerm {
  /** what to look for (whole words, case-insensitive) */
  pattern: RegExp;
  /** the words to avoid, as the guide lists them */
  avoid: string;
  /** what to say instead */
  alternatives: string[];
}

const w = (source: string) => new RegExp(`\\b(?:${source})\\b`, 'i');

export const LANGUAGE_GUIDE: LanguageTerm[] = [
  {
    pattern: w('put(?:ting|s)? (?:him|her|them)sel(?:f|ves) at risk|plac(?:ing|es?) (?:him|her|them)sel(?:f|ves) at risk'),
    avoid: 'putting themselves at risk',
    alternatives: ['the child may have been groomed', 'is being forced', "a perpetrator may exploit the child's vulnerability"],
  },
  {
    pattern: w('involved in (?:cce|cse|crime|county lines|gangs?|drug dealing|criminal activity)|became involved'),
    avoid: 'involved in CCE / CSE; became involved in crime',
    alternatives: ['is a victim of criminal exploitation', 'is a victim of sexual exploitation', 'has been groomed'],
  },
  {
    pattern: w('recruited|working for|runner|runners|running lines'),
    avoid: 'recruited; working for; runner',
    alternatives: ['criminally exploited'],
  },
  {
    pattern: w('associat(?:ing|es|ed) with|in a relationship with|spending time with|hangs? (?:out|around) with'),
    avoid: 'associating with / in a relationship with / spending time with',
    alternatives: ['is being exploited by', 'is being controlled by', 'describe the context, not a relationship'],
  },
  {
    pattern: w('keeps? going missing|abscond(?:s|ed|ing)?|absconder'),
    avoid: 'keeps going missing; absconding',
    alternatives: ['has been trafficked', 'is being controlled', 'is missing'],
  },
  {
    pattern: w('goes back to (?:his|her|their) exploiters|went back to (?:his|her|their) exploiters'),
    avoid: 'goes back to their exploiters',
    alternatives: ['is being controlled'],
  },
  {
    pattern: w('lifestyle choices?|making (?:bad |poor |their own )?choices|chooses? to|chose to'),
    avoid: 'lifestyle choice; making choices; chooses to',
    alternatives: ["describe the constraints on the child's choice"],
  },
  {
    pattern: w('streetwise|street wise|promiscuous|sexually active'),
    avoid: 'streetwise; promiscuous; sexually active',
    alternatives: ['describe the abuse', 'a child under 13 cannot consent'],
  },
  {
    pattern: w('child prostitutes?|child prostitution|prostitut(?:e|es|ion)'),
    avoid: 'child prostitute / prostitution',
    alternatives: ['child sexual exploitation'],
  },
  { pattern: w('money mules?'), avoid: 'money mule', alternatives: ['child financially exploited'] },
  {
    pattern: w('plugging'),
    avoid: 'plugging',
    alternatives: ['child forced or coerced to carry drugs internally'],
  },
  {
    pattern: w('disengaged|hard to reach|refus(?:es|ed|ing) to engage|won.?t engage|non.?engag(?:ement|ing)'),
    avoid: 'disengaged; hard to reach; refuses to engage',
    alternatives: ['services have struggled to engage the child'],
  },
  {
    pattern: w('drug dealer|dealer|dealing drugs'),
    avoid: 'drug dealer',
    alternatives: ['a child exploited to supply drugs'],
  },
];

export interface LanguageFinding {
  /** the words as the practitioner wrote them */
  found: string;
  avoid: string;
  alternatives: string[];
  index: number;
}

/** Every phrase in the text that the guide asks us to avoid, in order of appearance. */
export function checkLanguage(text: string | null | undefined): LanguageFinding[] {
  if (!text) return [];
  const findings: LanguageFinding[] = [];
  for (const term of LANGUAGE_GUIDE) {
    const global = new RegExp(term.pattern.source, 'gi');
    for (const match of text.matchAll(global)) {
      findings.push({ found: match[0], avoid: term.avoid, alternatives: term.alternatives, index: match.index ?? 0 });
    }
  }
  return findings.sort((a, b) => a.index - b.index);
}

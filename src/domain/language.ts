// The appropriate-language guide (The Children's Society, Victim Support, NPCC; 2017–2024):
// "Victim-blaming language implies that a victim is responsible for the abuse they experienced.
// Children can never consent to their own abuse." Practitioners' free text is checked against it
// and the alternative offered; the practitioner may keep their words (it is their record).
// A rare false positive costs the practitioner a glance (they can keep their words); a miss lets
// victim-blaming language into the record. So the patterns lean towards flagging, but everyday
// phrases that are plainly not about the child (a car dealer, Mum working for Tesco) are left out.

export interface LanguageTerm {
  /** what to look for (whole words, case-insensitive) */
  pattern: RegExp;
  /** the words to avoid, as the guide lists them */
  avoid: string;
  /** what to say instead */
  alternatives: string[];
}

// What may stand between the words of a phrase as written: whitespace (a line break, a double
// space), hyphens and dashes ("drug-dealing", "lifestyle–choice", the non-breaking hyphen a word
// processor puts in), underscores and slashes (text copied from forms), and quotation marks (scare
// quotes: a "lifestyle" choice). Not the sentence's own punctuation (. , ; : ! ?): "he was running.
// Drugs were found" is two sentences, not "running drugs".
const GAP = '[\\s\\-\\u00ad\\u2010-\\u2015\\u2212_/"“”‘’]+';
// A word: letters and digits, never a character a gap takes. "\w" takes "_", which a gap takes too, so
// "(?:\w+ ){0,2}" (the space being GAP) could split a run of "_/_/…" or "a_a_…" in n² or more ways
// before failing: "working for " and "_/" to 10,000 characters (a summary's limit) took over two
// minutes, and one summary held the server. With a word and a gap taking no character in common,
// each run of text is read as words and gaps one way only. No pattern uses "\w" (language.test.ts
// checks this); "_" is a gap, as in "Involved_in_drug_dealing" copied from a form.
const WORD = '[\\p{L}\\p{N}]';
// A word's edge, as "\b" would be if "_" were not a letter ("working_for_Dex", "his café_lifestyle").
const EDGE = `(?:(?<=${WORD})(?!${WORD})|(?<!${WORD})(?=${WORD}))`;
// Every pattern starts and ends with a letter, so its first edge is "no letter before, a letter
// next" and its last "no letter after" (EDGE in front of every pattern made a run of "’" 60 times
// slower to pass over). The letter next matters: a pattern may open with a lookbehind that looks
// back over a gap ("(?<!\bschool(?: has)? )did not engage"); tried only where a word starts, it
// reads each run of gap once, not once for every character of a run of "____" (n², seconds). Every
// pattern's first letter is a Latin one ("did", "went", "mum"), which the engine looks for quickly.
const START = `(?<!${WORD})(?=[a-zA-Z])`;
const END = `(?!${WORD})`;
// A space (or \s+) in a pattern matches any such gap, so a phrase written with hyphens or split by a
// line break ("putting\nhimself at risk", "sexually  active", "drug-dealing") is still found.
// Matching ignores case ("Involved in", "LIFESTYLE CHOICE").
const gaps = (source: string) => source.replace(/ |\\s\+/g, GAP);
// Every "\b" written in a pattern is a word's EDGE. The 'u' flag is needed for \p{L}.
const edges = (source: string) => source.replace(/\\b/g, EDGE);
const w = (source: string) => new RegExp(`${START}(?:${edges(gaps(source))})${END}`, 'iu');
// Every pattern here is kept free of a repeat without bound nested in another ("(?:\w+ )*", whose
// gap is itself "[…]+"): that shape took exponential time on a run of near-matches (see CHILD_IS).
// Bounded repeats of a group ("(?:${WORD}+ ){0,2}") and lookbehinds that look back over a bounded number
// of words keep each check linear in the text. language.test.ts checks the patterns' shape for this.

// A pattern that must also see case (a capital letter starts a name, which the 'i' flag cannot
// tell): case-insensitive by spelling each letter both ways ("work" is "[wW][oO][rR][kK]").
// Escapes (\b, \s, \p{Lu}, \u2010) and character classes are kept as written, so a class must
// not rely on case.
const anyCase = (source: string) =>
  source.replace(/\\(?:u\{[0-9a-fA-F]+\}|u[0-9a-fA-F]{4}|[pP]\{[^}]*\}|.)|\[(?:\\.|[^\]\\])*\]|[a-zA-Z]/g, (m) =>
    m.length === 1 && /[a-zA-Z]/.test(m) ? `[${m.toLowerCase()}${m.toUpperCase()}]` : m,
  );

// The child, as the subject of a sentence, in words we can recognise reliably. Names are left out:
// adults in a child's record are named too, and "Smith is an offender" may well be about an adult.
const CHILD = `(?:he|she|they|the child|the young person|the young people|the children|child|young person)`;
// Who exploits: a line or gang (possibly named and quoted, "the “Northgate line”"), dealers, older
// people. Kept narrow so that "working for Tesco", "a car dealer", "the front line", "older
// people's services" or "adult social care" are not taken for exploiters.
const EXPLOITERS =
  `(?:(?:the |a |an )?(?:${WORD}+ ){0,2}(?<!\\b(?:front|production|assembly|help|phone|telephone|bus|railway|finish|service)\\s+)(?:lines?|gangs?|olders|elders)` +
  '|(?:the |a |an )?(?:drug |local )?dealers?' +
  '|older (?:males|men|boys|girls|lads|youths|teenagers|people|peers|associates|friends|females|women)(?![\'’]s)' +
  '|adults(?![\'’]s)|an adult(?! (?:social|services?|care|education|learning|team))(?![\'’]s))';
// Relatives and carers: time spent with them is not the association the guide means.
const FAMILY =
  `(?:(?:his|her|their|the) )?(?:mum|mother|dad|father|parents?|family|grand${WORD}*|nan|siblings?|brothers?|sisters?|carers?|foster ${WORD}+|aunt${WORD}*|uncle|cousins?)\\b`;

// Involved in / involvement in (or with) …, by what it names.
const IN_OR_WITH = '(?:in|with) (?:the )?';
const INVOLVED_IN = `(?:involved|involvement) ${IN_OR_WITH}`;
const CRIMINAL_INVOLVEMENT =
  '(?:cce|(?:child )?criminal exploitation|crime|criminality|criminal activity|county lines?|gangs?|a gang|(?:drug|drugs) (?:dealing|supply|supplying|running|market)|drugs|dealing|offending)';
const SEXUAL_INVOLVEMENT = '(?:cse|(?:child )?sexual exploitation)';
// became / got involved; but not a service becoming involved, which is everyday chronology
// ("Social care became involved in March").
const BECAME =
  '(?<!\\b(?:police|services?|care|team|agency|agencies|school|camhs|yot|yjs|yos|worker|officer|professionals?|gp|health|mum|mother|dad|father|parents?|carers?|we|i)\\s+(?:(?:has|have|had)\\s+)?)(?:became|become|becomes|becoming|got|gets|getting)';
// The child said to be something ("he is a known …"). The words before it are a bounded run of
// distinct words: "a known" as one choice and as "a" then "known" made a long run of them take
// exponential time to fail (a summary of 200 characters held the server).
const CHILD_IS = `${CHILD} (?:is|was|are|were|has been|had been|have been) (?:(?:a|an|the|seen as|viewed as|treated as|known) ){0,3}`;

// "her" as the object ("went back to her", "working for her again"), not the possessive of what
// follows ("working for her GCSEs", "went back to her mum's"): the word after it, if any, must be one
// that cannot follow a possessive. "herself" is not "her".
const HER_OBJECT =
  'her\\b(?! (?!(?:again|now|still|too|also|then|and|or|but|so|because|as|at|in|on|from|for|to|by|with|without|after|before|since|until|when|whenever|while|if|though|although|despite|even|every|each|daily|regularly|instead|there|here|this|that|last|all|only|over|who|which|selling|dealing|carrying|holding|running|moving|delivering|doing)\\b)' + WORD + ')';

// "Working for" a person. The row's words are "recruited; working for; runner", and an exploiter is
// named in the record as often as not ("working for Dex"), or is "them", "him" or "her" (or "her
// boyfriend", as an exploiter often presents himself). A name is a word with a capital letter then
// a small one (so not "GCSEs", "A-levels" or "CAMHS"); in text written all in capitals, any word
// after "WORKING FOR" that is not a determiner.
// The trade-off: the checker cannot tell an employer's name from an exploiter's, so "Jay works for
// Tesco on Saturdays" is flagged too (a glance, and the practitioner keeps the words). What it can
// tell is who does the working, when the words say so just before the verb: a parent, relative or
// carer, a practitioner or service, or a thing that suits the child ("the plan works for him") is
// not the child, and is left out ("Mum working for Tesco", "Her mother is working for Tesco", "Mum,
// who works for Tesco"). Any other subject, or none ("Working for Dex since May"), is taken to be
// the child: leaning towards flagging, as above. A subject further back than a few words ("Mum, who
// has two jobs, works for …") is not seen, and is flagged.
const NOT_THE_WORKER =
  '(?:mum|mother|dad|father|step' + WORD + '*|parents?|carers?|grand' + WORD + '*|nan|nana|aunt' + WORD + '*|uncle|siblings?|brothers?|sisters?|cousins?|partner|boss|employer|worker|officer|teacher|nurse|practitioners?|professionals?|staff|manager|colleagues?|i|we|you|it|this|that|what|which|plan|arrangement|placement|timetable|approach|support|package|routine|option|strategy)';
const BEFORE_THE_VERB =
  '(?:is|was|are|were|has|have|had|been|be|being|now|also|still|currently|usually|recently|previously|then|who|used|to|will|would|may|might|does|did|do|not|no|longer|only|full|part|time)';
// What after "working for" is not a name but a determiner, a pronoun the other branch takes, or the
// start of a line, gang or older people, which the row's first pattern finds (one finding, not two)
// A practitioner's employer is not a name either ("Sarah Jones, who works for Barnardo's,
// attended"): the charities that work with exploited children, and a body whose name says what it is
// ("Reading Borough Council", "Thames Valley Police", "Berkshire Healthcare NHS Foundation Trust").
const AN_ORGANISATION =
  "(?:barnardo['’]?s|action for children|nspcc|(?:the )?children['’]s society|st giles|catch ?22|missing people|victim support|childline|young ?minds|the prince['’]?s trust|the mix|safer london|(?:\\p{Lu}" + WORD + "* ){1,3}(?:council|trust|police|constabulary|nhs|services?|hospital|school|academy|college|university|society|foundation|charity|project|partnership))\\b";
const NOT_A_NAME =
  '(?!(?:the|a|an|his|her|their|its|my|our|your|this|that|these|those|some|any|no|him|them|himself|herself|themselves|drug|local|older|adults?|dealers?)\\b|(?:' + WORD + '+ ){0,2}(?:lines?|gangs?|olders|elders)\\b|' + AN_ORGANISATION + ')';
const WORKING_FOR_A_PERSON = new RegExp(
  START +
  edges(
    gaps(
      anyCase(`(?<!\\b${NOT_THE_WORKER}(?:['’]s)?,?(?: ${BEFORE_THE_VERB}){0,4} )`) +
        `(?:${anyCase(`work(?:s|ed|ing)? for (?:(?:them|him|(?:his|her|their) (?:older )?(?:boyfriend|girlfriend))\\b|${HER_OBJECT}|${NOT_A_NAME}\\p{Lu}(?:['’]\\p{Lu})?\\p{Ll}\\p{L}*)`)}` +
        // all in capitals: the verb must be too ("WORKING FOR DEX"), so "working for GCSEs" is not
        `|(?:WORK|WORKS|WORKED|WORKING) FOR ${anyCase(NOT_A_NAME)}\\p{Lu}{2,})`,
    ),
  ),
  'u',
);

// Going back to the exploiters: to them, him or her, or to a line, gang or older people; "keeps going
// back to" wherever it is, unless it is home, school, family or work ("went back to school", "goes
// back to Mum's", "went back to the office" are not the row's meaning), or a subject of talk ("keeps
// going back to what happened"). "Them" may be the child's carers ("went back to them after
// hospital"): a glance, leaning towards flagging. Who goes back, when the words say so just before the
// verb, may not be the child: a thing ("the alert went back to them", "the referral goes back to
// them"), a practitioner or service, a parent or carer, or the writer ("I went back to him on
// Friday", "The social worker went back to them", "PC Patel went back to them"). Nor is going back to
// someone to reply ("went back to her with the test results", "went back to them to confirm the
// date"), nor to "them (his parents)": family, as "went back to her foster carers" is.
const NOT_THE_CHILD_GOING =
  '(?<!\\b(?:it|this|that|which|alerts?|cases?|referrals?|files?|forms?|reports?|emails?|letters?|messages?|calls?|money|phones?|decisions?|matters?|tasks?|actions?|requests?|paperwork|assessments?|plans?' +
  '|i|we|you|workers?|officers?|police|teachers?|nurses?|doctors?|gp|staff|team|managers?|practitioners?|professionals?|colleagues?|services?|agency|agencies|camhs|yot|yjs|yos|council|(?:pc|dc|ds|sgt|nurse|dr|mr|mrs|ms|miss) ' + WORD + '+' +
  '|mum|mother|dad|father|parents?|carers?)(?: (?:has|have|had|then|now|was|is|will|would|should|always|also|later|again|subsequently|promptly|immediately)){0,2} )';
const REPLYING =
  `(?! (?:\\(${FAMILY}` +
  `|with (?:the|an?|his|her|their|my|our) (?:${WORD}+ ){0,2}(?:answers?|outcomes?|results?|updates?|information|news|decisions?|details|numbers?|paperwork|forms?|letters?|reports?|plans?|minutes|dates?|times?|findings|feedback|response|reply|referral)\\b` +
  '|to (?:confirm|tell|ask|update|let|explain|return|give|say|discuss|check|share|feed back|arrange|agree|clarify|offer|apologise|follow up|book|chase)\\b))';
const BACK_HOME =
  `(?:${FAMILY}|home|school|college|class|lessons?|bed|sleep|work|(?:his|her|their|the) (?:placement|home|school|college|room|unit|office|children.s home)|what|how|why|that (?:day|night|time)|the (?:subject|topic|question|conversation|incident|memory|point|story|same (?:point|question|subject|topic)))\\b`;

// A service or a practitioner not engaging ("The school did not engage with the review", "We did not
// engage", "The GP surgery did not engage") is not the row's meaning: it is about the child. Nor is a
// plan or a meeting not engaging someone ("The plan did not engage the wider family").
const SERVICE =
  '(?:police|services?|school|college|camhs|yot|yjs|yos|team|agency|agencies|gp|health|we|i|professionals?|practitioners?|workers?|officers?|staff|care|partners|council|nhs' +
  '|surgery|practice|hospital|clinic|nurses?|doctors?|provider|trust|panel|board|unit|nursery|academy|plan|meeting|review|session|conference|it|this|that|which)';
const NOT_OF_A_SERVICE = `(?<!\\b${SERVICE}(?: (?:is|was|are|were|has|have|had|been|then|also|still|again)){0,2} )`;
// words between "not" and "engage": "did not really engage", "does not want to engage"
const NOT_YET = '(?:(?:yet|always|really|fully|consistently|meaningfully|properly|been|be|want|wanted|wish|wished|seem|seemed|appear|appeared|to|try|tried|attempt|attempted|actively|currently|regularly) ){0,3}';
// the wording the guide suggests ("services failed to engage him", "we have struggled to engage the
// child", "did not engage the wider family"), or engaging in something that is not a service or its
// work: harm ("has not engaged in any offending since April") or an activity ("has not been engaging
// in sport"). Engaging in education, sessions or support is the row's meaning, and is flagged.
const ENGAGE_WHOM =
  `(?! (?:him|her|them|the (?:child|young (?:person|people)|children)|young people|children|(?:(?:his|her|their|the) )?(?:wider|whole|extended) family|${FAMILY}` +
  '|in(?! (?:(?:the|any|his|her|their|all|some|further|this|that|these|those|her|his) ){0,2}(?:education|school|college|learning|training|support|sessions?|services?|work|plan|programme|interventions?|assessments?|meetings?|reviews?|appointments?|therapy|treatment|counselling|mentoring|direct work|process|youth work|activities)\\b))\\b)';

// "his lifestyle" (as a noun, "His lifestyle puts him at risk"), not "lifestyle" as the first word of
// another noun ("his lifestyle change since starting boxing", "her lifestyle goals")
const LIFESTYLE_AS_A_NOUN =
  '(?! (?:change|changes|goals?|plans?|advice|support|services?|medicine|factors?|habits?|questionnaire|assessments?|coach|coaching|checks?|programmes?|interventions?|sessions?|clinic|magazine|blog)\\b)';

export const LANGUAGE_GUIDE: LanguageTerm[] = [
  {
    // at risk, and the same said otherwise: in danger, in harm's way, in a dangerous situation (a
    // tester's "Leon put himself in danger again" went unflagged)
    pattern: w("(?:put(?:ting|s)?|plac(?:ing|es|ed|e)) (?:him|her|them)sel(?:f|ves) (?:at risk|in danger|in harm['’]?s way|in (?:a )?(?:dangerous|risky) (?:situations?|positions?|places?))"),
    avoid: 'putting themselves at risk',
    alternatives: ['the child may have been groomed', 'is being forced', "a perpetrator may exploit the child's vulnerability"],
  },
  // "Involved in" is one row of the guide, but what the child is said to be involved in decides the
  // alternative: drugs, county lines, gangs and crime are criminal exploitation, CSE is sexual
  // exploitation ("involved in drug dealing" is never answered with "a victim of sexual
  // exploitation"); where the words do not say which, both are offered.
  // "became involved" is the words found, as before; what follows it chooses the alternative.
  {
    pattern: w(`${INVOLVED_IN}${CRIMINAL_INVOLVEMENT}|${BECAME} involved(?= ${IN_OR_WITH}${CRIMINAL_INVOLVEMENT}\\b)`),
    avoid: 'involved in CCE / CSE; became involved in crime',
    alternatives: ['is a victim of criminal exploitation', 'has been groomed'],
  },
  {
    pattern: w(`${INVOLVED_IN}${SEXUAL_INVOLVEMENT}|${BECAME} involved(?= ${IN_OR_WITH}${SEXUAL_INVOLVEMENT}\\b)`),
    avoid: 'involved in CCE / CSE; became involved in crime',
    alternatives: ['is a victim of sexual exploitation', 'has been groomed'],
  },
  {
    pattern: w(
      `${INVOLVED_IN}(?:(?:child )?exploitation|older ${WORD}+|adults)` +
        // became / got involved, however it goes on, unless it names the exploitation (above)
        `|${BECAME} involved(?! ${IN_OR_WITH}(?:${CRIMINAL_INVOLVEMENT}|${SEXUAL_INVOLVEMENT})\\b)`,
    ),
    avoid: 'involved in CCE / CSE; became involved in crime',
    alternatives: ['is a victim of criminal exploitation', 'is a victim of sexual exploitation', 'has been groomed'],
  },
  {
    pattern: w(
      // "recruited" only of someone being recruited ("was recruited", "recruited him", "recruited
      // into"), not "We recruited a new youth worker".
      '(?:is|are|was|were|been|being|be|get|gets|got|getting) recruited|recruited (?:him|her|them|by|into|to|as)' +
        // "working for" only for a line, gang, dealers or older people: "Mum is working for Tesco"
        // is not flagged, nor "the plan works for him" (it suits him).
        `|work(?:s|ed|ing)? for ${EXPLOITERS}` +
        // runner, but not "runner-up" or "front-runner"
        '|(?<!-)runners?(?!-)' +
        // running lines / drugs, running for a line or gang (not "running for the bus")
        `|(?:run|runs|ran|running) (?:county lines|lines|drugs)|(?:run|runs|ran|running) for ${EXPLOITERS}`,
    ),
    avoid: 'recruited; working for; runner',
    alternatives: ['criminally exploited'],
  },
  // working for a named person, or for them / him / her (see WORKING_FOR_A_PERSON): the same row
  { pattern: WORKING_FOR_A_PERSON, avoid: 'recruited; working for; runner', alternatives: ['criminally exploited'] },
  {
    pattern: w(
      // associating / associates with; the passive "associated with" only with exploiters ("associated
      // with older males"), not "the risks associated with missing episodes"
      `associat(?:ing|es|e) with|associated with ${EXPLOITERS}|in a relationship with` +
        // spending time / hanging out with, except with family ("spending time with her grandmother");
        // "spent time with" only with exploiters: "the worker spent time with him" is direct work
        `|(?:spending time|hang(?:s|ing)? (?:out|around)|hung (?:out|around)) with(?! ${FAMILY})|sp(?:ends?|ent) time with ${EXPLOITERS}`,
    ),
    avoid: 'associating with / in a relationship with / spending time with',
    alternatives: ['is being exploited by', 'is being controlled by', 'describe the context, not a relationship'],
  },
  {
    pattern: w('(?:keeps?|kept|keeping) (?:on )?going missing|abscond(?:s|ed|ing)?|absconder'),
    avoid: 'keeps going missing; absconding',
    alternatives: ['has been trafficked', 'is being controlled', 'is missing'],
  },
  {
    pattern: w(
      '(?:(?:go|goes|going|gone|went|returns?|returned|returning) back|returns?|returned|returning) to (?:his|her|their|the) exploiters' +
        // see BACK_HOME
        `|(?:keeps?|kept|keeping) (?:on )?going back to(?! ${BACK_HOME})` +
        `|${NOT_THE_CHILD_GOING}(?:go|goes|going|gone|went|run|runs|ran|running) back to (?:(?:them|him|${HER_OBJECT})${REPLYING}|${EXPLOITERS})`,
    ),
    avoid: 'goes back to their exploiters',
    alternatives: ['is being controlled'],
  },
  {
    pattern: w(
      'lifestyle choices?' +
        // the child's lifestyle ("his lifestyle", "her chaotic lifestyle"), but not a healthy one
        `|(?:his|her|their) (?:(?!(?:healthy|active|sedentary)\\b)${WORD}+ )?lifestyles?${LIFESTYLE_AS_A_NOUN}` +
        // choosing and making choices, but not of a parent, carer, school or worker ("Mum chooses to
        // home educate"): only the child's choices are the guide's concern.
        '|(?<!\\b(?:mum|mother|dad|father|parents?|carers?|family|grandm' + WORD + '*|grandf' + WORD + '*|nan|school|we|i|worker|officer)\\s+(?:(?:has|have|had|then)\\s+)?)' +
        // (a bounded run of words before "choices": "(…)*" of words each followed by a gap nests one
        // unbounded repeat in another, the shape that can take exponential time)
        `(?:ch(?:oose|ooses|ose|oosing|osen) (?:${WORD}+ ){0,2}lifestyles?` +
        '|(?:mak(?:e|es|ing)|made) (?:(?:a|an|the|bad|poor|wrong|unwise|risky|negative|good|better|positive|their own|his own|her own|own) ){0,4}choices?' +
        // chooses (not) to; "chose not to engage" is the engagement row's
        '|ch(?:oose|ooses|ose|oosing|osen) (?:not (?!to engage\\b))?to)',
    ),
    avoid: 'lifestyle choice; making choices; chooses to',
    alternatives: ["describe the constraints on the child's choice"],
  },
  // The guide's row "streetwise; promiscuous; sexually active (under 13)" is split so that "a child
  // under 13 cannot consent" is offered only for "sexually active", where it is the point.
  {
    pattern: w('street(?:\\s+)?wise|promiscuous|promiscuity'),
    avoid: 'streetwise; promiscuous',
    alternatives: ['describe the abuse'],
  },
  {
    pattern: w('sexually active'),
    avoid: 'sexually active (under 13)',
    alternatives: ['describe the abuse', 'a child under 13 cannot consent'],
  },
  {
    // and the same said of the child as a trade: "selling herself" (a tester's went unflagged); not
    // the idiom "selling himself short", nor "sells herself well at interview"
    pattern: w('child prostitutes?|child prostitution|prostitut(?:e|es|ed|ion|ing)|(?:sell(?:s|ing)?|sold) (?:him|her|them)sel(?:f|ves)(?! (?:short|well)\\b)'),
    avoid: 'child prostitute / prostitution',
    alternatives: ['child sexual exploitation'],
  },
  { pattern: w('money(?:\\s+)?mul(?:es?|ing)|muling'), avoid: 'money mule', alternatives: ['child financially exploited'] },
  {
    // plugging / plugged, but not "plugging the gap", "plugged in the charger", "plug-in"
    pattern: w('plugg(?:ing|ed)(?!\\s+(?:(?:the|a|an|this|that|any|some)\\s+)?(?:gaps?|holes?|leaks?|shortfall)\\b|\\s+(?:in|into|away)\\b|-)'),
    avoid: 'plugging',
    alternatives: ['child forced or coerced to carry drugs internally'],
  },
  {
    // Not engaging, as said of the child: refused, failed, unwilling or reluctant to engage; did
    // not, does not, won't, never engaged; not engaging; chose not to engage. Not of a service
    // (NOT_OF_A_SERVICE), nor the guide's own wording (ENGAGE_WHOM). "Unable to", "cannot" and "could
    // not engage" are left out: they name a constraint on the child, which is what the guide asks for.
    // "Mum did not engage" is flagged: the row is about the child, but its phrases have always been
    // flagged whoever the subject ("Mum refuses to engage"), a parent is often intimidated by the
    // same exploiters (so "services have struggled to engage Mum" is the better record too), and the
    // checker cannot tell from the words whose engagement is meant in every sentence ("Mum and Jay
    // did not engage"). A service is left out: that is not victim-blaming.
    pattern: w(
      'disengag(?:e|ed|es|ing|ement)|hard\\s+to\\s+reach|non.?engag(?:ement|ing|ed)' +
        `|${NOT_OF_A_SERVICE}(?:` +
        `(?:(?:did|does|do|has|have|had|is|was|are|were|would|will|should)(?: not|n.?t)|won.?t|never) ${NOT_YET}engag(?:e|es|ed|ing)` +
        `|not ${NOT_YET}engag(?:ing|ed)` +
        '|(?:fail|fails|failed|failing|refus(?:e|es|ed|ing|al)|unwilling(?:ness)?|reluctan(?:t|ce)) to engage' +
        '|(?:ch(?:oose|ooses|ose|oosing|osen)|decid(?:e|es|ed|ing)|opt(?:s|ed|ing)?) not to engage' +
        `)${ENGAGE_WHOM}`,
    ),
    avoid: 'disengaged; hard to reach; refuses to engage',
    alternatives: ['services have struggled to engage the child'],
  },
  // The guide's row "drug dealer; perpetrator (of the child)" is split so that "a child exploited to
  // supply drugs" is offered only where the words are about drugs: a child called an offender may
  // have been exploited to do something else.
  {
    pattern: w(
      // drug dealer and dealing drugs; a bare "dealer" only when it is said of the child ("he is a
      // dealer"), not "a car dealer on Station Road"; not the bare verb ("a flat used to deal class
      // A drugs" is about the flat)
      'drug(?:\\s+)?dealers?|(?:deals|dealing|dealt) (?:drugs|cannabis|weed|crack|heroin|cocaine|class a)' +
        `|${CHILD} (?:is|was|are|were|has been|had been|have been) dealing(?! with)` +
        `|${CHILD_IS}(?:(?:drug|street|local|young|prolific|cannabis) )?dealers?`,
    ),
    avoid: 'drug dealer; perpetrator (of the child)',
    alternatives: ['a child exploited to supply drugs'],
  },
  {
    // perpetrator / offender only of the child ("he is a perpetrator"): "a perpetrator may exploit the
    // child" is about an adult and is not flagged
    pattern: w(`${CHILD_IS}(?:(?:drug|street|local|young|prolific|cannabis) )?(?:perpetrators?|offenders?)`),
    avoid: 'drug dealer; perpetrator (of the child)',
    alternatives: ['is a victim of criminal exploitation'],
  },
  {
    // Not in the guide word for word; its rows "involved in gangs" and "associating with (gang)" say
    // it: a child is exploited by a gang, not one of its members. Only of the child: "Dex is a gang
    // member" may be the police's description of an adult, and is left to the practitioner.
    pattern: w(`${CHILD_IS}(?:gang members?|members? of (?:a|an|the) (?:${WORD}+ ){0,2}gangs?|gang (?:affiliated|involved|associated))`),
    avoid: 'gang member (of the child)',
    alternatives: ['is a victim of criminal exploitation', 'is being exploited or controlled by a gang'],
  },
];

export interface LanguageFinding {
  /** the words as the practitioner wrote them */
  found: string;
  avoid: string;
  alternatives: string[];
  index: number;
}

/**
 * The stretches of the text inside quotation marks, as [start, end) between the marks: straight
 * "…" (paired in order), curly “…”, and curly single ‘…’ when it is clearly a quote (the ‘ opens a
 * word and the closing ’ ends one, so the apostrophe in "child’s" does not close it). A mark with
 * no partner quotes nothing: a missing closing quote must not hide the rest of the text.
 */
export function quotedSpans(text: string): [number, number][] {
  const spans: [number, number][] = [];
  for (const quote of [/"([^"]*)"/g, /“([^“”]*)”/g, /(?<![\p{L}\p{N}])‘([^‘’]*(?:’[\p{L}\p{N}][^‘’]*)*)’(?![\p{L}\p{N}])/gu]) {
    for (const m of text.matchAll(quote)) spans.push([(m.index ?? 0) + 1, (m.index ?? 0) + m[0].length - 1]);
  }
  return spans;
}

/**
 * Every phrase in the text that the guide asks us to avoid, in order of appearance. A form shows
 * them all, quoted ones too: the practitioner says whether the words are a quotation and keeps
 * them (a quotation mark is no proof: scare quotes are the practitioner's own). `quotations:
 * 'leave'` leaves out words wholly inside quotation marks — someone else's words, recorded as said
 * — for the partnership's language report, which counts the practitioners' own words.
 */
export function checkLanguage(text: string | null | undefined, options: { quotations?: 'check' | 'leave' } = {}): LanguageFinding[] {
  if (!text) return [];
  const quoted = options.quotations === 'leave' ? quotedSpans(text) : [];
  const inQuotes = (start: number, end: number) => quoted.some(([from, to]) => start >= from && end <= to);
  const findings: LanguageFinding[] = [];
  for (const term of LANGUAGE_GUIDE) {
    const global = new RegExp(term.pattern.source, term.pattern.flags.includes('g') ? term.pattern.flags : `${term.pattern.flags}g`);
    for (const match of text.matchAll(global)) {
      const index = match.index ?? 0;
      if (inQuotes(index, index + match[0].length)) continue;
      findings.push({ found: match[0], avoid: term.avoid, alternatives: term.alternatives, index });
    }
  }
  return findings.sort((a, b) => a.index - b.index);
}

/**
 * An event's free text by path (`summary`, `details.concern`, `details.actions[0].note`): what the
 * guide reads in an entry, whatever its type. A code or an identifier has no spaces; free text does.
 */
export function eventFreeText(summary: string | null | undefined, details: unknown): [path: string, text: string][] {
  const out: [string, string][] = summary ? [['summary', summary]] : [];
  // a stack of our own, in document order: details nested thousands deep (stored before events
  // bounded their depth) overflowed the call stack of a recursive walk, failing the whole request
  const stack: [unknown, string][] = [[details, 'details']];
  while (stack.length) {
    const [value, path] = stack.pop()!;
    if (typeof value === 'string' && /\s/.test(value)) out.push([path, value]);
    else if (Array.isArray(value)) for (let i = value.length - 1; i >= 0; i--) stack.push([value[i], `${path}[${i}]`]);
    else if (value && typeof value === 'object') {
      const entries = Object.entries(value);
      for (let i = entries.length - 1; i >= 0; i--) stack.push([entries[i][1], `${path}.${entries[i][0]}`]);
    }
  }
  return out;
}

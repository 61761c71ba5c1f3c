// Information governance (issue 8): each agency's sharing agreement — its lawful basis, special
// category condition and purpose — the latest in force and the earlier kept, and the basis the
// access log shows for a reader's agency.
import { AGENCIES, AGENCY_NAMES, type Agency, type Problem } from '../domain/event.ts';
import type { Db } from '../store/database.ts';
import * as repo from '../store/governance-repository.ts';
import { requireCapability } from './access.ts';
import type { Actor } from './actor.ts';
import { audit } from './audit-service.ts';
import { validationFailed } from './errors.ts';
import { isRealDate, todayOf, trimmed, type GovernanceOptions } from './governance-options.ts';

export interface LegalOption {
  code: string;
  label: string;
  hint?: string;
}

/** UK GDPR Article 6 bases (and Part 3 of the DPA 2018 for police law enforcement processing). */
export const LAWFUL_BASES: readonly LegalOption[] = [
  { code: '6(1)(e)', label: 'Article 6(1)(e): public task', hint: 'A task in the public interest or in the exercise of official authority: local authorities, schools, health and youth justice carrying out their safeguarding duties.' },
  { code: '6(1)(c)', label: 'Article 6(1)(c): legal obligation', hint: 'The agency is required by law to share.' },
  { code: '6(1)(d)', label: 'Article 6(1)(d): vital interests', hint: 'To protect someone’s life, where no other basis applies.' },
  { code: '6(1)(f)', label: 'Article 6(1)(f): legitimate interests', hint: 'Not for public authorities carrying out their tasks; for example, a voluntary sector organisation.' },
  { code: '6(1)(a)', label: 'Article 6(1)(a): consent', hint: 'Rarely right for safeguarding: consent must be freely given and can be withdrawn.' },
  { code: 'dpa2018-part3', label: 'DPA 2018 Part 3: law enforcement processing', hint: 'Police sharing for a law enforcement purpose (section 31), not under UK GDPR.' },
];

/** Special category conditions: UK GDPR Article 9 with DPA 2018 Schedule 1 (or Schedule 8 under Part 3). */
export const SPECIAL_CATEGORY_CONDITIONS: readonly LegalOption[] = [
  { code: 'sch1-18', label: 'Article 9(2)(g) and DPA 2018 Schedule 1 paragraph 18: safeguarding of children and of individuals at risk' },
  { code: 'sch1-2', label: 'Article 9(2)(h) and DPA 2018 Schedule 1 paragraph 2: health or social care purposes' },
  { code: 'sch1-6', label: 'Article 9(2)(g) and DPA 2018 Schedule 1 paragraph 6: statutory and government purposes' },
  { code: 'sch1-10', label: 'Article 9(2)(g) and DPA 2018 Schedule 1 paragraph 10: preventing or detecting unlawful acts' },
  { code: '9(2)(c)', label: 'Article 9(2)(c): vital interests of a person who cannot give consent' },
  { code: 'sch8-4', label: 'DPA 2018 section 35(5) and Schedule 8 paragraph 4: safeguarding of children and of individuals at risk (law enforcement)' },
  { code: 'none', label: 'No special category data is shared' },
];

const labelOf = (options: readonly LegalOption[], code: string | null) => (code ? (options.find((o) => o.code === code)?.label ?? code) : null);

export interface AgreementView {
  id: string;
  agency: Agency;
  agencyName: string;
  lawfulBasis: string;
  lawfulBasisText: string;
  specialCategoryCondition: string | null;
  specialCategoryText: string | null;
  purpose: string;
  reviewBy: string | null;
  overdue: boolean;
  recordedAt: Date;
  recordedByName: string | null;
}

function agreementView(row: repo.SharingAgreementRow & { recordedByName?: string | null }, today: string): AgreementView {
  return {
    id: row.id,
    agency: row.agency as Agency,
    agencyName: AGENCY_NAMES[row.agency as Agency] ?? row.agency,
    lawfulBasis: row.lawfulBasis,
    lawfulBasisText: labelOf(LAWFUL_BASES, row.lawfulBasis)!,
    specialCategoryCondition: row.specialCategoryCondition,
    specialCategoryText: labelOf(SPECIAL_CATEGORY_CONDITIONS, row.specialCategoryCondition),
    purpose: row.purpose,
    reviewBy: row.reviewBy,
    overdue: !!row.reviewBy && row.reviewBy < today,
    recordedAt: row.recordedAt,
    recordedByName: row.recordedByName ?? null,
  };
}

/**
 * The agreement under which an agency shares now, or null: for the access log's "under which
 * basis". It says nothing about a child, so it checks no access; the caller has.
 */
export async function agreementOf(db: Db, agency: string, options: GovernanceOptions = {}): Promise<AgreementView | null> {
  const [row] = await repo.agreementsInForce(db, [agency]);
  return row ? agreementView(row, todayOf(options)) : null;
}

/** The agreements in force of several agencies at once (an access log lists many readers). */
export async function agreementsOf(db: Db, agencies: readonly string[], options: GovernanceOptions = {}): Promise<Map<string, AgreementView>> {
  const today = todayOf(options);
  return new Map((await repo.agreementsInForce(db, [...new Set(agencies)])).map((r) => [r.agency, agreementView(r, today)]));
}

export interface AgencyAgreements {
  agency: Agency;
  agencyName: string;
  inForce: AgreementView | null;
  history: AgreementView[];
}

export async function sharingAgreements(db: Db, actor: Actor, options: GovernanceOptions = {}): Promise<AgencyAgreements[]> {
  requireCapability(actor, 'manage_governance');
  const today = todayOf(options);
  const all = (await repo.allSharingAgreements(db)).map((r) => agreementView(r, today));
  return AGENCIES.map((agency) => {
    const mine = all.filter((a) => a.agency === agency);
    return { agency, agencyName: AGENCY_NAMES[agency], inForce: mine[0] ?? null, history: mine.slice(1) };
  });
}

export interface AgreementInput {
  agency: string;
  lawfulBasis: string;
  specialCategoryCondition: string;
  purpose: string;
  reviewBy?: string;
}

export async function recordSharingAgreement(db: Db, actor: Actor, input: AgreementInput, options: GovernanceOptions = {}): Promise<AgreementView> {
  requireCapability(actor, 'manage_governance');
  const problems: Problem[] = [];
  const purpose = trimmed(input.purpose);
  if (!AGENCIES.includes(input.agency as Agency)) problems.push({ path: 'agency', message: 'Select the agency' });
  if (!LAWFUL_BASES.some((b) => b.code === input.lawfulBasis)) problems.push({ path: 'lawfulBasis', message: 'Select the lawful basis for sharing' });
  if (!SPECIAL_CATEGORY_CONDITIONS.some((c) => c.code === input.specialCategoryCondition)) {
    problems.push({ path: 'specialCategoryCondition', message: 'Select the condition for special category data, or that none is shared' });
  }
  if (!purpose) problems.push({ path: 'purpose', message: 'Enter the purpose of sharing' });
  else if (purpose.length > 2000) problems.push({ path: 'purpose', message: 'Purpose must be 2,000 characters or fewer' });
  if (!input.reviewBy) problems.push({ path: 'reviewBy', message: 'Enter the date the agreement is to be reviewed by' });
  else if (!isRealDate(input.reviewBy)) problems.push({ path: 'reviewBy', message: 'Review date must be a real date' });
  else if (input.reviewBy <= todayOf(options)) problems.push({ path: 'reviewBy', message: 'Review date must be in the future' });
  if (problems.length) throw validationFailed(problems);
  return db.transaction(async (tx) => {
    const row = await repo.insertSharingAgreement(tx, {
      agency: input.agency,
      lawfulBasis: input.lawfulBasis,
      specialCategoryCondition: input.specialCategoryCondition === 'none' ? null : input.specialCategoryCondition,
      purpose,
      reviewBy: input.reviewBy,
      recordedBy: actor.kind === 'user' ? actor.userId : null,
    });
    await audit(tx, actor, 'sharing_agreement.recorded', null, {
      agreement: row.id, agency: row.agency, lawfulBasis: row.lawfulBasis, specialCategoryCondition: row.specialCategoryCondition, reviewBy: row.reviewBy,
    });
    return agreementView({ ...row, recordedByName: actor.name }, todayOf(options));
  });
}

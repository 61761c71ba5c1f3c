// The appropriate-language check of a form's free text (domain/language.ts): each field's phrases
// that the guide asks us to avoid, with the field they are in, so the form can come back with the
// alternatives; none when the practitioner ticked "Keep my wording" (it is their record).
import { checkLanguage, type LanguageFinding } from '../domain/language.ts';
import { asString } from './forms.ts';

export type FieldFinding = LanguageFinding & { field: string };

/** The findings in `fields` (form field name → its text), or none when the practitioner keeps their wording. */
export function wordingToCheck(body: Record<string, unknown>, fields: Record<string, string | undefined>): FieldFinding[] {
  if (asString(body.keepWording) === 'yes') return [];
  return Object.entries(fields).flatMap(([field, text]) => checkLanguage(text).map((finding) => ({ ...finding, field })));
}

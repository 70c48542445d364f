import type { LandCode } from './laender.js';

/** German transliteration first (ä→ae ...), then any other accent dropped. */
export function transliterate(text: string): string {
  return text
    .replace(/Ä/g, 'Ae').replace(/Ö/g, 'Oe').replace(/Ü/g, 'Ue')
    .replace(/ä/g, 'ae').replace(/ö/g, 'oe').replace(/ü/g, 'ue')
    .replace(/ẞ/g, 'SS').replace(/ß/g, 'ss')
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '');
}

/** Lowercase DNS label characters only, words joined by hyphens. */
export function slugify(text: string): string {
  return transliterate(text)
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** Title words that say what a Kommune is, not which one; dropped from derived ids. */
const TITLE_WORDS = /^(landeshauptstadt|hansestadt|universitaetsstadt|stadt|gemeinde)-/;

/** Leaves room for "<env>-" and "-<app>" in 63-character Application names. */
export const MAX_ID_LENGTH = 32;

/** `sh` + "Landeshauptstadt Kiel" → `sh-kiel`. */
export function deriveTenantId(land: LandCode, name: string): string {
  let slug = slugify(name).replace(TITLE_WORDS, '');
  if (slug === '') slug = 'kommune';
  const max = MAX_ID_LENGTH - land.length - 1;
  if (slug.length > max) slug = slug.slice(0, max).replace(/-+$/, '');
  return `${land}-${slug}`;
}

/** A key under which names that read the same once transliterated collide ("Müllerdorf" = "Muellerdorf"). */
export function nameCollisionKey(name: string): string {
  return slugify(name);
}

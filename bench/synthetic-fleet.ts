import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { dump, load } from 'js-yaml';
import { LAENDER, SH_KREISE } from '../generator/domain/laender.js';

/** Gemeinden per Land (Gemeindeverzeichnis, rounded): the shares a synthetic fleet follows. */
const GEMEINDEN: Readonly<Record<string, number>> = {
  sh: 1104, hh: 1, ni: 941, hb: 2, nw: 396, he: 421, rp: 2301, bw: 1101,
  by: 2056, sl: 52, be: 1, bb: 413, mv: 726, sn: 418, st: 218, th: 605,
};

/** Kommunen per cluster in a synthetic environment: under the 1,000 Applications per ApplicationSet. */
const PER_CLUSTER = 900;

export interface SyntheticKommune {
  readonly ags: string;
  readonly name: string;
}

/** A deterministic pseudo-random sequence (mulberry32), so every run builds the same fleet. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PREFIXES = ['', '', '', 'Groß ', 'Klein ', 'Bad ', 'Neu', 'Alt', 'St. ', 'Ober', 'Nieder', 'Hohen'];
const STEMS = ['Süder', 'Norder', 'Lütjen', 'Brok', 'Weißen', 'Schön', 'Mühl', 'Rosen', 'Eichen', 'Buchen', 'Linden', 'Wester', 'Oster', 'Hütten', 'Brück', 'Kirch', 'Holz', 'Wald', 'Feld', 'Grün', 'Bären', 'Fuchs', 'Stein', 'Sand'];
const SUFFIXES = ['dorf', 'hausen', 'stedt', 'büttel', 'feld', 'hagen', 'horst', 'rade', 'beck', 'born', 'au', 'burg', 'heim', 'ingen', 'weiler', 'roda', 'witz'];
const QUALIFIERS = ['', '', '', '', '', ' (Holstein)', ' am Main', ' an der Elbe', ' b. Kiel', ' (Oberpfalz)', ' i. OB'];

/**
 * `count` Kommunen spread over all 16 Länder in their real proportions, with well-formed AGS
 * (Land, Regierungsbezirk, Kreis, Gemeinde; real Kreise in Schleswig-Holstein) and German names
 * with umlauts, ß, "St.", parentheses, and names that repeat.
 */
export function syntheticKommunen(count: number): SyntheticKommune[] {
  const total = Object.values(GEMEINDEN).reduce((a, b) => a + b, 0);
  const codes = LAENDER.map((l) => l.code);
  const exact = codes.map((c) => (GEMEINDEN[c]! * count) / total);
  const shares = exact.map((x) => Math.max(count >= 16 ? 1 : 0, Math.floor(x)));
  // Largest remainders get the Kommunen rounding left over.
  const order = codes.map((_, i) => i).sort((a, b) => exact[b]! - Math.floor(exact[b]!) - (exact[a]! - Math.floor(exact[a]!)) || a - b);
  for (let k = 0; shares.reduce((a, b) => a + b, 0) < count; k++) shares[order[k % order.length]!]!++;
  for (let k = order.length - 1; shares.reduce((a, b) => a + b, 0) > count; k--) if (shares[order[(k + order.length) % order.length]!]! > 1) shares[order[(k + order.length) % order.length]!]!--;
  const next = random(10800);
  const out: SyntheticKommune[] = [];
  const shKreise = Object.keys(SH_KREISE);
  LAENDER.forEach((land, i) => {
    for (let j = 0; j < shares[i]!; j++) {
      let prefix5: string;
      let gemeinde: number;
      if (land.code === 'sh') {
        prefix5 = shKreise[j % shKreise.length]!;
        gemeinde = Math.floor(j / shKreise.length) + 1;
      } else {
        const kreisIndex = Math.floor(j / 120);
        const rb = 1 + (kreisIndex % 9);
        const kreis = 51 + Math.floor(kreisIndex / 9);
        prefix5 = `${land.ags}${rb}${String(kreis).padStart(2, '0')}`;
        gemeinde = (j % 120) + 1;
      }
      const pick = <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)]!;
      const name = `${pick(PREFIXES)}${pick(STEMS)}${pick(SUFFIXES)}${pick(QUALIFIERS)}`.replace(/^(Neu|Alt|Ober|Nieder|Hohen)([A-ZÄÖÜ])/, (_, p: string, c: string) => p + c.toLowerCase());
      out.push({ ags: `${prefix5}${String(gemeinde).padStart(3, '0')}`, name });
    }
  });
  return out;
}

export function kommunenCsv(kommunen: readonly SyntheticKommune[]): string {
  return `AGS;Name\n${kommunen.map((k) => `${k.ags};${k.name}`).join('\n')}\n`;
}

/**
 * Environments dev, test and prod for a synthetic fleet: the sample fleet's catalogue and waves,
 * clusters of at most 900 Kommunen serving whole Kreise (AGS prefixes), and Argo CD instances of four clusters
 * with four controller shards each.
 */
export function writeSyntheticEnvironments(root: string, kommunen: readonly SyntheticKommune[], sampleRoot: string): void {
  const byPrefix = new Map<string, number>();
  // Kreise (the first five digits) are the unit of placement: a cluster serves whole Kreise.
  for (const k of kommunen) byPrefix.set(k.ags.slice(0, 5), (byPrefix.get(k.ags.slice(0, 5)) ?? 0) + 1);
  const landOf = (prefix: string) => LAENDER.find((l) => l.ags === prefix.slice(0, 2))!.code;
  const groups: { prefixes: string[]; count: number }[] = [];
  for (const [prefix, n] of [...byPrefix].sort()) {
    const last = groups.at(-1);
    if (last && last.count + n <= PER_CLUSTER && last.prefixes[0]!.slice(0, 2) === prefix.slice(0, 2)) {
      last.prefixes.push(prefix);
      last.count += n;
    } else groups.push({ prefixes: [prefix], count: n });
  }
  mkdirSync(path.join(root, 'environments'), { recursive: true });
  for (const env of ['dev', 'test', 'prod']) {
    const doc = load(readFileSync(path.join(sampleRoot, 'environments', `${env}.yaml`), 'utf8')) as Record<string, unknown>;
    const clusters = groups.map((g, i) => ({
      name: `${env}-c${String(i + 1).padStart(2, '0')}`,
      server: `https://${env}-c${i + 1}.k8s.ozg-cloud.example:6443`,
      laender: [...new Set(g.prefixes.map(landOf))].sort(),
      agsPrefixes: g.prefixes,
      entryLevel: (['vm', 'managed', 'platform'] as const)[i % 3],
    }));
    const instances = [];
    for (let i = 0; i < clusters.length; i += 4) {
      instances.push({ name: `argocd-${instances.length + 1}`, namespace: 'argocd', clusters: clusters.slice(i, i + 4).map((c) => c.name), shards: 4 });
    }
    doc.clusters = clusters;
    // A canary of its own in every ApplicationSet (every synthetic Kommune takes the default wave).
    (doc.rollout as Record<string, unknown>).canary = { perApplicationSet: 1 };
    (doc.argocd as Record<string, unknown>).instances = instances;
    writeFileSync(path.join(root, 'environments', `${env}.yaml`), `# yaml-language-server: $schema=../generator/schemas/environment.schema.json\n${dump(doc, { lineWidth: -1 })}`);
  }
}

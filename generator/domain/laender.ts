/** The 16 Länder: the code used in ids and folders, the AGS prefix, the name. */
export const LAENDER = [
  { code: 'sh', ags: '01', name: 'Schleswig-Holstein' },
  { code: 'hh', ags: '02', name: 'Hamburg' },
  { code: 'ni', ags: '03', name: 'Niedersachsen' },
  { code: 'hb', ags: '04', name: 'Bremen' },
  { code: 'nw', ags: '05', name: 'Nordrhein-Westfalen' },
  { code: 'he', ags: '06', name: 'Hessen' },
  { code: 'rp', ags: '07', name: 'Rheinland-Pfalz' },
  { code: 'bw', ags: '08', name: 'Baden-Württemberg' },
  { code: 'by', ags: '09', name: 'Bayern' },
  { code: 'sl', ags: '10', name: 'Saarland' },
  { code: 'be', ags: '11', name: 'Berlin' },
  { code: 'bb', ags: '12', name: 'Brandenburg' },
  { code: 'mv', ags: '13', name: 'Mecklenburg-Vorpommern' },
  { code: 'sn', ags: '14', name: 'Sachsen' },
  { code: 'st', ags: '15', name: 'Sachsen-Anhalt' },
  { code: 'th', ags: '16', name: 'Thüringen' },
] as const;

export type LandCode = (typeof LAENDER)[number]['code'];

export function landByCode(code: string) {
  return LAENDER.find((l) => l.code === code);
}

export function landByAgs(ags: string) {
  return LAENDER.find((l) => l.ags === ags.slice(0, 2));
}

/** Schleswig-Holstein's Kreise and kreisfreie Städte (Land + RB + Kreis); 01052 does not exist. */
export const SH_KREISE: Readonly<Record<string, string>> = {
  '01001': 'Flensburg',
  '01002': 'Kiel',
  '01003': 'Lübeck',
  '01004': 'Neumünster',
  '01051': 'Dithmarschen',
  '01053': 'Herzogtum Lauenburg',
  '01054': 'Nordfriesland',
  '01055': 'Ostholstein',
  '01056': 'Pinneberg',
  '01057': 'Plön',
  '01058': 'Rendsburg-Eckernförde',
  '01059': 'Schleswig-Flensburg',
  '01060': 'Segeberg',
  '01061': 'Steinburg',
  '01062': 'Stormarn',
};

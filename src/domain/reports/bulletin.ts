// The monthly bulletin (一月一通报) as Markdown, with the trend of the last months drawn as an SVG
// line chart. Pure: figures in, text out. A suppressed count (small cell) reads `<5`, a figure the
// view withholds `—` (`npm run report` writes the exact view; see monthly-figures.service.ts).
import type { FigureCount, FigureShare, MonthlyFigures } from './monthly-figures.type';

const percent = (value: FigureShare | null) =>
  value === null || value.share === null ? '—' : `${(value.share * 100).toFixed(1)}%`;

const shown = (value: FigureCount | null | undefined): string =>
  !value ? '—' : value.suppressed || value.count === null ? '<5' : String(value.count);

/** The value drawn in the chart: a suppressed or withheld count is drawn at 0. */
const plotted = (value: FigureCount | null): number => value?.count ?? 0;

export function trendSvg(history: readonly MonthlyFigures[]): string {
  const width = 640;
  const height = 280;
  const left = 48;
  const bottom = 40;
  const series = [
    {
      name: '新登记纠纷 reported',
      color: '#c0392b',
      values: history.map((f) => plotted(f.disputesReported)),
    },
    { name: '化解 resolved', color: '#27ae60', values: history.map((f) => plotted(f.disputesResolved)) },
    { name: '在管人数 managed', color: '#2980b9', values: history.map((f) => plotted(f.managedPersons)) },
  ];
  const max = Math.max(1, ...series.flatMap((s) => s.values));
  const x = (i: number) => left + (i * (width - left - 20)) / Math.max(1, history.length - 1);
  const y = (v: number) => height - bottom - (v / max) * (height - bottom - 20);
  const lines = series.map(
    (s) =>
      `<polyline fill="none" stroke="${s.color}" stroke-width="2" points="${s.values
        .map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`)
        .join(' ')}"/>`,
  );
  const labels = history.map(
    (f, i) =>
      `<text x="${x(i).toFixed(1)}" y="${height - bottom + 18}" font-size="11" text-anchor="middle">${f.month}</text>`,
  );
  const legend = series.map(
    (s, i) => `<text x="${left + i * 190}" y="14" font-size="12" fill="${s.color}">■ ${s.name}</text>`,
  );
  const axis = `<line x1="${left}" y1="${height - bottom}" x2="${width - 10}" y2="${height - bottom}" stroke="#333"/>
  <line x1="${left}" y1="20" x2="${left}" y2="${height - bottom}" stroke="#333"/>
  <text x="${left - 6}" y="24" font-size="11" text-anchor="end">${max}</text>
  <text x="${left - 6}" y="${height - bottom}" font-size="11" text-anchor="end">0</text>`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">
  ${axis}
  ${lines.join('\n  ')}
  ${labels.join('\n  ')}
  ${legend.join('\n  ')}
</svg>
`;
}

/** The bulletin's table: a label and how to show the figure of one month (null: not entered). */
const FIGURE_ROWS: readonly [string, (figures: MonthlyFigures) => string | null][] = [
  ['新登记纠纷 / Disputes reported', (f) => shown(f.disputesReported)],
  ['办结 / Closed', (f) => shown(f.disputesClosed)],
  ['化解 / Resolved', (f) => shown(f.disputesResolved)],
  ['化解率 / Resolution rate', (f) => percent(f.resolutionRate)],
  ['升级 / Escalations', (f) => shown(f.escalations)],
  ['在管人数 / Managed persons', (f) => shown(f.managedPersons)],
  ['管控率 / Follow-up compliance', (f) => percent(f.followUpCompliance)],
  ['逾期未跟踪 / Overdue follow-ups', (f) => shown(f.overdueFollowUps)],
  ['逾期未复核 / Overdue reviews', (f) => shown(f.overdueReviews)],
  ['预警 / Alerts', (f) => shown(f.alertsRaised)],
  ['一确保：多人死亡案件 / Incidents with more than one death', (f) => shown(f.multiFatalityIncidents)],
  [
    '极端暴力案件 / Extreme-violence incidents',
    (f) => (f.policeCounts ? shown(f.policeCounts.extremeViolenceIncidents) : null),
  ],
  ['命案 / Homicides', (f) => (f.policeCounts ? shown(f.policeCounts.resultingHomicides) : null)],
  [
    '纠纷类警情 / Dispute-related police calls',
    (f) => (f.policeCounts ? shown(f.policeCounts.disputePoliceCalls) : null),
  ],
];

export function bulletinMarkdown(history: readonly MonthlyFigures[], chartFile: string): string {
  const current = history.at(-1);
  const previous = history.at(-2);
  if (!current) return '';
  const name = current.jurisdiction.name;
  const row = (label: string, now: string | number, before: string | number | undefined) =>
    `| ${label} | ${now} | ${before ?? '—'} |`;
  const counts = (items: { key: string; count: number | null; suppressed: boolean }[] | null) =>
    items?.length ? items.map((item) => `${item.key} ${shown(item)}`).join('，') : '—';
  return [
    `# ${name} ${current.month} 矛盾纠纷化解工作通报 / Monthly bulletin`,
    '',
    `辖区 / Jurisdiction: ${name} (${current.jurisdiction.code}) · 月份 / Month: ${current.month} (China Standard Time)`,
    '',
    '本通报只含统计数，不含任何个人信息。 / Aggregates only; no personal data.',
    '',
    `![趋势 / Trend](${chartFile})`,
    '',
    '| 指标 / Figure | 本月 / This month | 上月 / Previous month |',
    '| --- | --- | --- |',
    ...FIGURE_ROWS.map(([label, figure]) =>
      row(label, figure(current) ?? '未录入', (previous && figure(previous)) ?? undefined),
    ),
    '',
    `按级别 / Persons by assessed tier: ${counts(current.personsByTier)}`,
    '',
    `按类别 / Disputes by category: ${counts(current.disputesByCategory)}`,
    '',
    `按层级 / By level: ${counts(current.disputesByLevel)}`,
    '',
    `按状态 / By status: ${counts(current.disputesByStatus)}`,
    '',
  ].join('\n');
}

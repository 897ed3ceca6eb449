// The yearly assessment (一年一考核) as a document: Markdown with a bar chart of the scores as an
// inline SVG, best first. Pure: the assessment as its reader got it in, text out; a withheld score
// (small cells suppressed for the reader) is drawn as no bar.
import { escapeCell, escapeXml } from './review-document';
import type { YearlyAssessment, YearlyScore } from './yearly.type';

/** The name a scorecard row goes by: its village's, or its department's. */
const rowName = (row: YearlyScore) =>
  row.unit
    ? `${row.unit.name} (${row.unit.code})`
    : row.department
      ? `${row.department.nameZh} ${row.department.nameEn}`
      : '—';

const shown = (figure: { count?: number | null; share?: number | null; suppressed: boolean }) =>
  figure.suppressed
    ? '<5'
    : String(
        figure.count ??
          (figure.share === null || figure.share === undefined
            ? '—'
            : `${Math.round(figure.share * 1000) / 10}%`),
      );

export function scoreChartSvg(rowsToDraw: readonly YearlyScore[]): string {
  const bar = 22;
  const label = 180;
  const width = label + 320;
  const height = 30 + rowsToDraw.length * (bar + 6);
  const rows = rowsToDraw.map((unit, index) => {
    const y = 20 + index * (bar + 6);
    const length = ((unit.score ?? 0) / 100) * 300;
    return [
      `<text x="${label - 8}" y="${y + bar * 0.7}" text-anchor="end" font-size="12">${escapeXml(unit.unit?.name ?? unit.department?.nameZh ?? '—')}</text>`,
      unit.score === null
        ? ''
        : `<rect x="${label}" y="${y}" width="${length.toFixed(1)}" height="${bar}" fill="#2980b9"><title>${unit.score}</title></rect>`,
      `<text x="${label + length + 4}" y="${y + bar * 0.7}" font-size="12">${unit.score ?? '—'}</text>`,
    ].join('');
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">${rows.join('')}</svg>`;
}

export function yearlyMarkdown(assessment: YearlyAssessment, reader: string): string {
  const lines = [
    `# ${escapeCell(assessment.jurisdiction.name)} ${assessment.year} 年度考核 / Yearly assessment`,
    '',
    `As read by ${reader}. Scores from 0 to 100, by the weights of the accountability criteria.`,
    '',
    `一确保 — incidents with more than one death in the year: **${shown(assessment.multiFatalityIncidents)}**`,
    '',
    scoreChartSvg(assessment.units),
    '',
    scorecardTable(assessment.units),
    '',
    '## 部门 / Departments',
    '',
    assessment.departments.length
      ? scoreChartSvg(assessment.departments)
      : 'No department had work here in the year.',
    '',
    ...(assessment.departments.length ? [scorecardTable(assessment.departments), ''] : []),
    '## 年度案事件 / Incidents of the year',
    '',
    ...(assessment.incidents.length
      ? [
          '| 时间 When | 单位 Unit | 类型 Kind | 死亡 Deaths | 受伤 Injured | 倒查 Review |',
          '| --- | --- | --- | --- | --- | --- |',
          ...assessment.incidents.map(
            (incident) =>
              `| ${incident.occurredAt.toISOString()} | ${escapeCell(incident.unit.name)} | ${incident.kind} | ${incident.deaths} | ${incident.injuries} | \`npm run review -- --incident ${incident.incidentId}\` |`,
          ),
        ]
      : ['None recorded.']),
    '',
  ];
  return lines.join('\n');
}

function scorecardTable(rows: readonly YearlyScore[]): string {
  return [
    '| 排名 Rank | 单位 Unit | 得分 Score | 管控率 Follow-up | 逾期未复核 Overdue reviews | 未签收预警 Unacknowledged alerts | 化解率 Resolution | 多人死亡 Multi-fatality |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map(
      (row) =>
        `| ${row.rank ?? '—'} | ${escapeCell(rowName(row))} | ${row.score ?? '—'} | ${shown(row.followUpCompliance)} | ${shown(row.overdueReviews)} | ${shown(row.unacknowledgedAlerts)} | ${shown(row.resolutionRate)} | ${shown(row.multiFatalityIncidents)} |`,
    ),
  ].join('\n');
}

// The case review as a document: Markdown with the timeline drawn as an inline SVG (one lane per kind
// of entry, gaps in red). Pure: the review as its reader got it in, text out.
import type { CaseReview } from './case-review.type';

export const escapeXml = (text: string) =>
  text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] as string);
export const escapeCell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const day = (at: Date) => at.toISOString().slice(0, 10);

export function timelineSvg(review: CaseReview): string {
  const width = 760;
  const left = 190;
  const lanes = [...new Set(review.entries.map((entry) => entry.kind))];
  const laneHeight = 22;
  const height = 50 + (lanes.length + 1) * laneHeight;
  const start = review.windowStart.getTime();
  const span = Math.max(1, review.occurredAt.getTime() - start);
  const x = (at: Date) => left + ((at.getTime() - start) / span) * (width - left - 20);
  const y = (lane: number) => 30 + lane * laneHeight;
  const laneLabels = lanes.map(
    (kind, i) => `<text x="${left - 8}" y="${y(i) + 4}" font-size="11" text-anchor="end">${kind}</text>`,
  );
  const dots = review.entries.map(
    (entry) =>
      `<circle cx="${x(entry.at).toFixed(1)}" cy="${y(lanes.indexOf(entry.kind))}" r="4" fill="#2980b9"><title>${escapeXml(
        `${day(entry.at)} ${entry.summary}`,
      )}</title></circle>`,
  );
  const gapLane = y(lanes.length);
  const gaps = review.gaps.map((gap) => {
    const to = gap.closedAt ?? review.occurredAt;
    return `<line x1="${x(gap.at).toFixed(1)}" y1="${gapLane}" x2="${x(to).toFixed(1)}" y2="${gapLane}" stroke="#c0392b" stroke-width="6"><title>${escapeXml(
      `${gap.kind} ${day(gap.at)}: ${gap.summary}`,
    )}</title></line>`;
  });
  const incident = x(review.occurredAt).toFixed(1);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">
  <text x="${left}" y="14" font-size="11">${day(review.windowStart)}</text>
  <text x="${width - 20}" y="14" font-size="11" text-anchor="end">${day(review.occurredAt)} 案发 / incident</text>
  <line x1="${incident}" y1="20" x2="${incident}" y2="${height - 10}" stroke="#333" stroke-dasharray="4 3"/>
  ${laneLabels.join('\n  ')}
  <text x="${left - 8}" y="${gapLane + 4}" font-size="11" text-anchor="end" fill="#c0392b">漏洞 / gaps</text>
  ${dots.join('\n  ')}
  ${gaps.join('\n  ')}
</svg>`;
}

export function reviewMarkdown(review: CaseReview, reader: string): string {
  return [
    `# 一案一倒查 / Case review of incident ${review.id}`,
    '',
    `案发 / Occurred: ${review.occurredAt.toISOString()} · ${escapeCell(review.place)} · ${review.kind} · 死亡 / deaths ${review.deaths} · 受伤 / injured ${review.injuries}`,
    '',
    `倒查期间 / Period reviewed: ${day(review.windowStart)} – ${day(review.occurredAt)} · 阅读人 / As read by: ${reader} (only what this account may read; the opening is audited)`,
    '',
    timelineSvg(review),
    '',
    '## 漏洞 / Gaps',
    '',
    ...(review.gaps.length
      ? [
          '| 类型 / Kind | 起始 / From | 补上 / Made good | 说明 / What was missed |',
          '| --- | --- | --- | --- |',
        ]
      : ['无 / None found.']),
    ...review.gaps.map(
      (gap) =>
        `| ${gap.kind} | ${day(gap.at)} | ${gap.closedAt ? day(gap.closedAt) : '—'} | ${escapeCell(gap.summary)} |`,
    ),
    '',
    '## 时间线 / Timeline',
    '',
    '| 时间 / When | 类型 / Kind | 经办 / By | 内容 / What |',
    '| --- | --- | --- | --- |',
    ...review.entries.map(
      (entry) =>
        `| ${entry.at.toISOString()} | ${entry.kind} | ${entry.actor ?? '—'} | ${escapeCell(entry.summary)} |`,
    ),
    '',
  ].join('\n');
}

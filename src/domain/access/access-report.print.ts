// The access report as a printable page (issue 24 item 1): Markdown or self-contained HTML (no
// external assets, no script), for the grid leader to print for the person who asked.
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { writeAuditEntries } from '../../audit/audit-log';
import { personAccessReport, type AccessReportEntry, type AccessReportPage } from './access-report.service';

export type PrintFormat = 'md' | 'html';

export interface PrintableReport {
  personId: string;
  anonymisedAt: Date | null;
  from: Date | null;
  to: Date | null;
  printedAt: Date;
  entries: AccessReportEntry[];
}

const COLUMNS = [
  '时间 / When',
  '账号 / Account',
  '部门 / Department',
  '职务 / Position',
  '动作 / Action',
  '途径 / Transport',
  '操作 / Operation',
  '记录 / Record',
  '字段 / Fields',
  '理由 / Reason',
];

function cells(entry: AccessReportEntry): string[] {
  return [
    entry.occurredAt.toISOString(),
    entry.accountUsername ?? '（操作员命令 / operator command）',
    entry.department ?? '',
    entry.position ?? '',
    entry.action,
    entry.transport,
    entry.operation,
    `${entry.recordType} ${entry.recordIds.join(', ')}`,
    entry.fields.join(', '),
    entry.reason ?? '',
  ];
}

function heading(report: PrintableReport): string[] {
  const period = `${report.from?.toISOString() ?? '—'} … ${report.to?.toISOString() ?? report.printedAt.toISOString()}`;
  return [
    `人员 / Person: ${report.personId}`,
    `期间 / Period: ${period}`,
    `打印时间 / Printed: ${report.printedAt.toISOString()}`,
    `条数 / Entries: ${report.entries.length}`,
    report.anonymisedAt
      ? `已匿名化 / Anonymised: ${report.anonymisedAt.toISOString()} — the record’s personal data was removed by retention`
      : '未匿名化 / Not anonymised',
  ];
}

const markdownCell = (text: string) => text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\n/g, ' ');

const htmlText = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function renderAccessReport(report: PrintableReport, format: PrintFormat): string {
  const title = '个人信息访问报告 / Personal data access report';
  if (format === 'md') {
    return [
      `# ${title}`,
      '',
      ...heading(report).map((line) => `- ${markdownCell(line)}`),
      '',
      `| ${COLUMNS.join(' | ')} |`,
      `| ${COLUMNS.map(() => '---').join(' | ')} |`,
      ...report.entries.map((entry) => `| ${cells(entry).map(markdownCell).join(' | ')} |`),
      '',
    ].join('\n');
  }
  return [
    '<!doctype html>',
    '<html lang="zh-CN"><head><meta charset="utf-8">',
    `<title>${htmlText(title)}</title>`,
    '<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;width:100%;font-size:10pt}' +
      'th,td{border:1px solid #999;padding:4px;text-align:left;vertical-align:top}' +
      '@media print{body{margin:0}}</style>',
    '</head><body>',
    `<h1>${htmlText(title)}</h1>`,
    `<ul>${heading(report)
      .map((line) => `<li>${htmlText(line)}</li>`)
      .join('')}</ul>`,
    `<table><thead><tr>${COLUMNS.map((column) => `<th>${htmlText(column)}</th>`).join('')}</tr></thead><tbody>`,
    ...report.entries.map(
      (entry) =>
        `<tr>${cells(entry)
          .map((cell) => `<td>${htmlText(cell)}</td>`)
          .join('')}</tr>`,
    ),
    '</tbody></table>',
    '</body></html>',
    '',
  ].join('\n');
}

/** Every entry of the report within from/to, page by page. */
export async function allEntries(
  pageAt: (after: string | null) => Promise<AccessReportPage>,
): Promise<{ entries: AccessReportEntry[]; anonymisedAt: Date | null }> {
  const entries: AccessReportEntry[] = [];
  let after: string | null = null;
  for (;;) {
    const page = await pageAt(after);
    entries.push(...page.entries);
    if (!page.hasNextPage) return { entries, anonymisedAt: page.anonymisedAt };
    after = page.entries.at(-1)?.seq ?? null;
  }
}

export interface PrintRequest {
  personId: string;
  from: Date | null;
  to: Date | null;
  format: PrintFormat;
}

/**
 * The printable report for the person who asked, through the grid leader; printing it is itself an
 * access to the person's record, audited before the page is handed out.
 */
export async function printAccessReport(
  dataSource: DataSource,
  request: PrintRequest,
  now: Date,
): Promise<string> {
  const { entries, anonymisedAt } = await allEntries((after) =>
    personAccessReport(dataSource, { ...request, first: 100, after }),
  );
  await writeAuditEntries(
    dataSource.manager,
    { requestId: `cli:access-report:${randomUUID()}`, identity: null },
    [
      {
        action: 'READ',
        operation: 'accessReport',
        recordType: 'Person',
        recordIds: [request.personId],
        fields: ['accessReport'],
        detail: { via: 'access-report', format: request.format, entries: entries.length },
      },
    ],
  );
  return renderAccessReport(
    { personId: request.personId, anonymisedAt, from: request.from, to: request.to, printedAt: now, entries },
    request.format,
  );
}

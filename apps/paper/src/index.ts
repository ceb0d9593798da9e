export { type ReportInput, renderHtmlReport } from './report/html-report.js';
export { buildSummary, type PaperSummary, summaryRows } from './report/summary.js';
export { type PaperRunOptions, type PaperRunResult, runPaper } from './run-paper.js';

// The trajectory as a server-drawn SVG: no script, so it shows under the strict CSP and without
// JavaScript. The same numbers are in the table beside it (the chart is a picture of the table).
import { RISK_RANK, type TrajectoryMonth } from '../domain/trajectory.ts';

const SERIES = [
  { key: 'missing', label: 'Missing episodes', colour: '#1d70b8' },
  { key: 'policeIncidents', label: 'Police incidents and arrests', colour: '#d4351c' },
  { key: 'exclusions', label: 'Exclusions', colour: '#f47738' },
  { key: 'edAttendances', label: 'Emergency department attendances', colour: '#4c2c92' },
] as const;
const LEVELS = ['none', 'low', 'moderate', 'significant'];

const escape = (text: string) => text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

export function trajectorySvg(months: readonly TrajectoryMonth[], childName: string): string {
  const width = 960;
  const left = 90;
  const barTop = 40;
  const barHeight = 160;
  const riskTop = 240;
  const riskHeight = 90;
  const height = riskTop + riskHeight + 50;
  const step = (width - left - 20) / Math.max(months.length, 1);
  const max = Math.max(1, ...months.map((m) => m.missing + m.policeIncidents + m.exclusions + m.edAttendances));
  const parts: string[] = [];
  // bars: each month stacked, in the legend's order
  months.forEach((m, i) => {
    let y = barTop + barHeight;
    for (const s of SERIES) {
      const h = (m[s.key] / max) * barHeight;
      if (h > 0) {
        y -= h;
        parts.push(`<rect x="${(left + i * step + step * 0.15).toFixed(1)}" y="${y.toFixed(1)}" width="${(step * 0.7).toFixed(1)}" height="${h.toFixed(1)}" fill="${s.colour}"/>`);
      }
    }
  });
  parts.push(`<line x1="${left}" y1="${barTop + barHeight}" x2="${width - 20}" y2="${barTop + barHeight}" stroke="#0b0c0c"/>`);
  parts.push(`<text x="${left - 8}" y="${barTop + 4}" text-anchor="end" font-size="13">${max}</text><text x="${left - 8}" y="${barTop + barHeight}" text-anchor="end" font-size="13">0</text>`);
  parts.push(`<text x="10" y="${barTop - 16}" font-size="14" font-weight="bold">Events a month</text>`);
  // risk level: a step line from screenings and plan reviews
  parts.push(`<text x="10" y="${riskTop - 16}" font-size="14" font-weight="bold">Risk level</text>`);
  LEVELS.forEach((level, r) => {
    const y = riskTop + riskHeight - (r / 3) * riskHeight;
    parts.push(`<line x1="${left}" y1="${y}" x2="${width - 20}" y2="${y}" stroke="#b1b4b6" stroke-dasharray="3 3"/><text x="${left - 8}" y="${y + 4}" text-anchor="end" font-size="12">${level}</text>`);
  });
  let path = '';
  months.forEach((m, i) => {
    if (!m.riskLevel) return;
    const y = riskTop + riskHeight - (RISK_RANK[m.riskLevel] / 3) * riskHeight;
    const x0 = left + i * step;
    path += `${path ? 'L' : 'M'}${x0.toFixed(1)} ${y.toFixed(1)} L${(x0 + step).toFixed(1)} ${y.toFixed(1)} `;
  });
  if (path) parts.push(`<path d="${path.trim()}" fill="none" stroke="#00703c" stroke-width="3"/>`);
  // year labels at each January (and the first month when it is not one), so the axis stays legible
  months.forEach((m, i) => {
    const january = m.month.endsWith('-01');
    if (january || (i === 0 && months.length - 1 > 2)) {
      const label = january ? m.month.slice(0, 4) : '';
      if (label) parts.push(`<text x="${(left + i * step).toFixed(1)}" y="${riskTop + riskHeight + 22}" font-size="12">${label}</text>`);
    }
  });
  // legend
  SERIES.forEach((s, i) => {
    const x = left + i * 210;
    parts.push(`<rect x="${x}" y="${height - 16}" width="12" height="12" fill="${s.colour}"/><text x="${x + 18}" y="${height - 6}" font-size="13">${s.label}</text>`);
  });
  const total = (key: (typeof SERIES)[number]['key']) => months.reduce((n, m) => n + m[key], 0);
  const desc = `${months.length} months from ${months[0]?.month ?? ''} to ${months.at(-1)?.month ?? ''}: ${SERIES.map((s) => `${total(s.key)} ${s.label.toLowerCase()}`).join(', ')}. Latest risk level: ${months.at(-1)?.riskLevel ?? 'not recorded'}. The table below has every month's figures.`;
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="100%" role="img" aria-labelledby="trajectory-title trajectory-desc" font-family="sans-serif">
<title id="trajectory-title">${escape(childName)}'s trajectory by month</title>
<desc id="trajectory-desc">${escape(desc)}</desc>
${parts.join('\n')}
</svg>`;
}

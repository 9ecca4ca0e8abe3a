import { png } from '../../support/attachment-fixtures';

/** Small real files for the attachment journeys: a PNG and a PDF that parse as what they are. */

/** A `width`×`height` RGB PNG with a gradient, so a thumbnail visibly shows something. */
export function samplePng(width = 96, height = 64): Buffer {
  return Buffer.from(png(width, height, (x, y) => [Math.floor((x * 255) / width), 120, Math.floor((y * 255) / height)]));
}

/** A one-page PDF saying `text`, with a correct cross-reference table. */
export function samplePdf(text = 'Quarterly report: revenue grew 12%.'): Buffer {
  const stream = `BT /F1 18 Tf 72 720 Td (${text.replace(/[()\\]/g, '\\$&')}) Tj ET`;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let body = '%PDF-1.7\n';
  const offsets: number[] = [];
  objects.forEach((object, index) => {
    offsets.push(body.length);
    body += `${index + 1} 0 obj\n${object}\nendobj\n`;
  });
  const xref = body.length;
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const offset of offsets) body += `${String(offset).padStart(10, '0')} 00000 n \n`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, 'latin1');
}

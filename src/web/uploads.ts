// Multipart uploads (a scenario file, an agency feed): fields become strings as the CSRF check and
// the form code expect; the file becomes { filename, data } (never written to disk), or
// { tooLarge } past the limit the route registered.
import type { FastifyRequest } from 'fastify';
import type { MultipartFile, MultipartValue } from '@fastify/multipart';
export interface UploadedFile {
  filename: string;
  data: Buffer | null;
  tooLarge: boolean;
}
export const TRUNCATED = Symbol('truncated fields');

export function isUpload(value: unknown): value is UploadedFile {
  return !!value && typeof value === 'object' && 'tooLarge' in value && 'filename' in value;
}

export async function readUpload(part: MultipartFile): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of part.file) chunks.push(chunk as Buffer);
  const upload: UploadedFile = part.file.truncated
    ? { filename: part.filename, data: null, tooLarge: true }
    : { filename: part.filename, data: Buffer.concat(chunks), tooLarge: false };
  (part as unknown as { value: UploadedFile }).value = upload;
}

export function flattenMultipartBody(request: FastifyRequest): void {
  const raw = (request.body ?? {}) as Record<string, MultipartValue | MultipartFile | (MultipartValue | MultipartFile)[]>;
  const body: Record<string | symbol, unknown> = {};
  const truncated: string[] = [];
  for (const [key, entry] of Object.entries(raw)) {
    const parts = [entry].flat();
    const values = parts.map((p) => {
      if (p.type === 'field' && p.valueTruncated) truncated.push(key);
      return (p as { value?: unknown }).value;
    });
    body[key] = values.length === 1 ? values[0] : values;
  }
  body[TRUNCATED] = truncated;
  request.body = body;
}


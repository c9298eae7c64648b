import { IncomingMessage } from 'node:http';

/** A request the API refuses: the status and a message that says what to send instead. */
export class ApiError extends Error {
  constructor(
    public readonly status: number,
    public readonly code: string,
    message: string,
    public readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Reads a JSON body of at most `maxBytes` and returns it as text, checked: UTF-8, JSON, not
 * empty. The text is kept as sent (stored and passed to the first steps as is), so no size or
 * depth of nesting that JSON.parse accepts can break a later serialization.
 */
export async function readJsonBody(req: IncomingMessage, maxBytes: number): Promise<string> {
  const type = req.headers['content-type'];
  if (type !== undefined && !/^application\/([\w.+-]+\+)?json\s*(;|$)/i.test(type)) {
    throw new ApiError(415, 'unsupported_media_type', `Content-Type ${type} is not JSON; send the pipeline input as JSON with Content-Type: application/json`);
  }
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > maxBytes) throw tooLarge(maxBytes);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) throw tooLarge(maxBytes);
    chunks.push(chunk);
  }
  let text: string;
  try {
    text = utf8.decode(Buffer.concat(chunks));
  } catch {
    throw new ApiError(400, 'input_not_utf8', 'the body is not UTF-8 text; send the pipeline input as UTF-8 JSON');
  }
  if (text.trim() === '') throw new ApiError(400, 'input_empty', 'the body is empty; send the pipeline input as JSON, e.g. {"page": "s3://bucket/scan.png"}');
  try {
    JSON.parse(text);
  } catch (e) {
    throw new ApiError(400, 'input_not_json', `the body is not valid JSON (${(e as Error).message}); send the pipeline input as one JSON value`);
  }
  return text;
}

function tooLarge(maxBytes: number): ApiError {
  return new ApiError(413, 'input_too_large', `the body is larger than ${maxBytes} bytes (PIPELINE_MAX_INPUT_BYTES); pass large documents by reference, e.g. an S3 URI, or raise the limit`, { connection: 'close' });
}

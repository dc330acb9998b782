/** sha256 of a file's bytes, streamed (cache key of every analysis); honours an AbortSignal between chunks. */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { ErrorCodes, StudioError } from '../../shared/result';

export async function sha256OfFile(file: string, signal?: AbortSignal): Promise<string> {
  const hash = createHash('sha256');
  const stream = fs.createReadStream(file, { highWaterMark: 1 << 20 });
  try {
    for await (const chunk of stream) {
      if (signal?.aborted) throw new StudioError(ErrorCodes.cancelled, 'Cancelled.');
      hash.update(chunk as Buffer);
    }
  } finally {
    stream.destroy();
  }
  return hash.digest('hex');
}

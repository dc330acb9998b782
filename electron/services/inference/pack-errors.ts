/** Stable error codes of the inference service (pack loading, sessions, jobs). */
export const InferenceErrorCodes = {
  packNotFound: 'PACK_NOT_FOUND',
  manifestInvalid: 'PACK_MANIFEST_INVALID',
  pathUnsafe: 'PACK_PATH_UNSAFE',
  fileMissing: 'PACK_FILE_MISSING',
  fileSize: 'PACK_FILE_SIZE',
  checksum: 'PACK_CHECKSUM',
  graphCorrupt: 'PACK_GRAPH_CORRUPT',
  graphMismatch: 'PACK_GRAPH_MISMATCH',
  tokenizer: 'PACK_TOKENIZER_INVALID',
  unsupported: 'PACK_UNSUPPORTED',
  session: 'INFERENCE_SESSION_FAILED',
  run: 'INFERENCE_RUN_FAILED',
  input: 'INFERENCE_BAD_INPUT',
  workerDied: 'INFERENCE_WORKER_DIED',
  memory: 'INFERENCE_NOT_ENOUGH_MEMORY',
} as const;

/**
 * The inference domain's API for other services: full validation of a model pack folder (the training runner
 * registers the packs it exports) and the memory/time cost model (pack building sizes a pack before it builds).
 * Generation itself is reached through the `generate.*` channels.
 */
export { validatePack } from './pack-validator';
export { archFromConfig, estimateInference, estimatePack, formatGiB, RUNTIME_OVERHEAD_BYTES, timeFromFlops, type UnetArch } from './inference-estimate';
/** The ONNX Runtime worker thread, for the audio domain's beat network (audio/beat-net). */
export { OrtWorker, type TensorData } from './ort-worker-client';

/**
 * Cheap live previews while sampling: a fixed linear map from latent channels to RGB (no VAE run), applied to one
 * latent frame. The weights are Stable Diffusion 1.x's well-known latent->RGB approximation for 4 channels
 * (only approximately right for other VAEs, which is fine for a progress thumbnail); packs with other channel
 * counts get a grey-level mean.
 */
const SD_LATENT_RGB = [
  [0.298, 0.207, 0.208],
  [0.187, 0.286, 0.173],
  [-0.158, 0.189, 0.264],
  [-0.184, -0.271, -0.473],
];

export function latentToRgb(latent: Float32Array, channels: number, height: number, width: number, scalingFactor: number, offset = 0): Uint8Array {
  const plane = height * width;
  const out = new Uint8Array(plane * 3);
  for (let i = 0; i < plane; i++) {
    for (let c = 0; c < 3; c++) {
      let v = 0;
      for (let k = 0; k < channels; k++) {
        const weight = channels === 4 ? SD_LATENT_RGB[k]![c]! : 1 / channels;
        v += (latent[offset + k * plane + i]! / scalingFactor) * weight;
      }
      out[i * 3 + c] = Math.max(0, Math.min(255, Math.round((v + 1) * 127.5)));
    }
  }
  return out;
}

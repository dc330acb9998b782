"""One model per file: vae, text_encoder, audio_encoder, unet (+ blocks), reference_net, stage-2 modules."""

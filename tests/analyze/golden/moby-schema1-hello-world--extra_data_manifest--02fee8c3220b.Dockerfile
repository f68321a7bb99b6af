# Reconstructed from the image history by ocihist: not the original Dockerfile.
# History never records stage FROM lines, COPY --from sources or RUN --mount options.
# No base image is recorded: FROM scratch assumed, every step is shown.
FROM scratch
# COPY: the source name is not recorded (classic builder); content hash file:4abd3bff60458ca3b079d7b131ce26b2719055a030dfa96ff827da2b7c7038a7
# ocihist: step 0, layer sha256:03f4658f8b78
COPY <unknown> /
# ocihist: step 1, layer sha256:a3ed95caeb02
CMD ["/hello"]

# Reconstructed from the image history by ocihist: not the original Dockerfile.
# History never records stage FROM lines, COPY --from sources or RUN --mount options.
# No base image is recorded: FROM scratch assumed, every step is shown.
FROM scratch
# ADD: the source name is not recorded (classic builder); content hash file:54946f8cfc2693368a889f9f55fefa4a7102d0daf51354f09c6620a48d3c625c
# ocihist: step 0, layer sha256:0b916d257bd4
ADD <unknown> /emptyfile

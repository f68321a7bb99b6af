# Reconstructed from the image history by ocihist: not the original Dockerfile.
# History never records stage FROM lines, COPY --from sources or RUN --mount options.
# No base image is recorded: FROM scratch assumed, every step is shown.
FROM scratch
# ADD: the source name is not recorded (classic builder); content hash file:14f49faade3db5e596826746d9ed3dfd658490c16c4d61d4886726153ad0591a
# ocihist: step 0, layer sha256:160d823fdc48
ADD <unknown> /

# Reconstructed from the image history by ocihist: not the original Dockerfile.
# History never records stage FROM lines, COPY --from sources or RUN --mount options.
# No base image is recorded: FROM scratch assumed, every step is shown.
FROM scratch
# COPY: the source name is not recorded (classic builder); content hash file:50563a97010fd7ce1ceebd1fa4f4891ac3decdf428333fb2683696f4358af6c2
# ocihist: step 0, layer sha256:2db29710123e
COPY <unknown> /
# ocihist: step 1
CMD ["/hello"]

# Reconstructed from the image history by ocihist: not the original Dockerfile.
# History never records stage FROM lines, COPY --from sources or RUN --mount options.
# No base image is recorded: FROM scratch assumed, every step is shown.
FROM scratch
# not a Dockerfile instruction: bazel build ...  [ocihist: step 0, layer sha256:8897395fd26d]

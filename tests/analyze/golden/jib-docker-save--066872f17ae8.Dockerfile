# Reconstructed from the image history by ocihist: not the original Dockerfile.
# History never records stage FROM lines, COPY --from sources or RUN --mount options.
# No base image is recorded: FROM scratch assumed, every step is shown.
FROM scratch
# not a Dockerfile instruction: jib-gradle-plugin:1.4.1-SNAPSHOT (classes)  [ocihist: step 0, layer sha256:5e701122d334]
# not a Dockerfile instruction: jib-gradle-plugin:1.4.1-SNAPSHOT (extra files)  [ocihist: step 1, layer sha256:f1ac3015bcbf]

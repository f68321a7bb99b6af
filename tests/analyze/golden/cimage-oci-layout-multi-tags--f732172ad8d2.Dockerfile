# Reconstructed from the image history by ocihist: not the original Dockerfile.
# History never records stage FROM lines, COPY --from sources or RUN --mount options.
# No base image is recorded: FROM scratch assumed, every step is shown.
FROM scratch
# ADD: the source name is not recorded (classic builder); content hash file:76d829bbce3dd420a8419919b0916c0fda917011d1e6752ca5b9e53d5ca890a6
# ocihist: step 0, layer sha256:02ea786cb1ff
ADD <unknown> /
# ocihist: step 1
CMD ["/bin/sh"]

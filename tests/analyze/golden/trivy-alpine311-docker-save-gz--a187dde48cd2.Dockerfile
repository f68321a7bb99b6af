# Reconstructed from the image history by ocihist: not the original Dockerfile.
# History never records stage FROM lines, COPY --from sources or RUN --mount options.
# No base image is recorded: FROM scratch assumed, every step is shown.
FROM scratch
# ADD: the source name is not recorded (classic builder); content hash file:0c4555f363c2672e350001f1293e689875a3760afe7b3f9146886afe67121cba
# ocihist: step 0, layer sha256:beee9f30bc1f
ADD <unknown> /
# ocihist: step 1
CMD ["/bin/sh"]

# Reconstructed from the image history by ocihist: not the original Dockerfile.
# History never records stage FROM lines, COPY --from sources or RUN --mount options.
# No base image is recorded: FROM scratch assumed, every step is shown.
FROM scratch
# ADD: the source name is not recorded (classic builder); content hash file:4b33c52e11b19fde30197c62ead0b77bde28d34edaa08346a5302cd892d3cebe
# ocihist: step 0, layer sha256:e19729d5a968
ADD <unknown> /
# ocihist: step 1
CMD ["/bin/sh"]

# Reconstructed from the image history by ocihist: not the original Dockerfile.
# History never records stage FROM lines, COPY --from sources or RUN --mount options.
# No base image is recorded: FROM scratch assumed, every step is shown.
FROM scratch
# ADD: the source name is not recorded (classic builder); content hash file:6dd87346b8be240b21b4f4d9296253bf0d28b6579aa52d2118872e3936963b6b
# ocihist: step 0, layer sha256:986315a0e599
ADD <unknown> /
# ocihist: step 1
CMD ["/bin/sh"]

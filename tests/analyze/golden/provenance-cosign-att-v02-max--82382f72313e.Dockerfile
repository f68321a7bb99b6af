# Reconstructed from the image history by ocihist: not the original Dockerfile.
# History never records stage FROM lines, COPY --from sources or RUN --mount options.
# The first 1 step(s) belong to the base image (where the history changes builder); shown as comments.
# The base image's name is not recorded.
FROM <base>
#  BusyBox 1.36.1 (glibc), Debian 12  [ocihist: step 0, layer sha256:6442a187d9b4]
# ocihist: step 1
ARG NAME=foo
# ocihist: step 2, layer sha256:8564620f1ca9
RUN echo "hello $NAME"

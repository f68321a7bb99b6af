# Reconstructed from the image history by ocihist: not the original Dockerfile.
# History never records stage FROM lines, COPY --from sources or RUN --mount options.
# The first 1 step(s) belong to the base image (where the history changes builder); shown as comments.
# The base image's name is not recorded.
FROM <base>
#   (Imported from -)  [ocihist: step 0, layer sha256:9cadd93b16ff]
# ocihist: step 1, layer sha256:4aa565ad8b7a
RUN rm -f '/etc/yum.repos.d/compose-rpms-1.repo'
# ocihist: step 2, layer sha256:f576d102e09b
RUN rm -f '/etc/yum.repos.d/rhel-7.4.repo' '/etc/yum.repos.d/rhos-optools-12.0.repo' '/etc/yum.repos.d/rhos-12.0-container-yum-need_images.repo'
# ocihist: step 3, layer sha256:9e92df2aea7d
RUN rm -f '/etc/yum.repos.d/rhel-7.4.repo' '/etc/yum.repos.d/rhos-optools-12.0.repo' '/etc/yum.repos.d/rhos-12.0-container-yum-need_images.repo'
# ocihist: step 4, layer sha256:62e48e39dc5b
RUN rm -f '/etc/yum.repos.d/rhel-7.4.repo' '/etc/yum.repos.d/rhos-optools-12.0.repo' '/etc/yum.repos.d/rhos-12.0-container-yum-need_images.repo'
# ocihist: step 5, layer sha256:e623934bca8d
USER nova

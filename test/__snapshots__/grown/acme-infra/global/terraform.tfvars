# The global root's own values (see variables.tf). The generator wrote this file once and never
# changes it again: it is yours.

ecr_keep_images = 500

"""Resources service: the central index, internal material and distribution."""
